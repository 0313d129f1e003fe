"""Repeatable training: ``set_seed``."""

from __future__ import annotations

import keras
import tensorflow as tf

from zoo._checks import check_bool, check_int


def set_seed(seed: int, deterministic: bool = True) -> None:
    """Seeds Python, NumPy, TensorFlow and Keras; optionally makes TF ops deterministic.

    Two trainings that call ``set_seed`` with the same seed in fresh processes then give
    identical weights and forecasts. ``deterministic=True`` turns on TensorFlow's op
    determinism for the rest of the process (it cannot be switched off again and makes a few
    GPU ops slower).

    Args:
        seed: a non-negative integer below 2**32.
        deterministic: also call ``tf.config.experimental.enable_op_determinism()``.

    Example:
        >>> from zoo.training import set_seed
        >>> set_seed(0)
    """
    seed = check_int(seed, "seed", minimum=0, maximum=2**32 - 1)
    deterministic = check_bool(deterministic, "deterministic")
    keras.utils.set_random_seed(int(seed))
    if deterministic:
        tf.config.experimental.enable_op_determinism()
