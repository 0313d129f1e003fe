"""Repeatable training: ``set_seed``."""

from __future__ import annotations

import numbers

import keras
import tensorflow as tf


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
    if not (isinstance(seed, numbers.Integral) and not isinstance(seed, bool)) or not (
        0 <= seed < 2**32
    ):
        raise ValueError(f"seed must be an integer in [0, 2**32); got {seed!r}.")
    if not isinstance(deterministic, bool):
        raise ValueError(f"deterministic must be True or False; got {deterministic!r}.")
    keras.utils.set_random_seed(int(seed))
    if deterministic:
        tf.config.experimental.enable_op_determinism()
