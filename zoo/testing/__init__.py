"""The conformance harnesses: what every builder and every estimator must pass.

:func:`check_builder` / :func:`check_builders` (:mod:`zoo.testing.builders`) run a
registered builder through shapes, both APIs, training, config and ``.keras`` round
trips and a zoo-free SavedModel reload.
"""

from zoo.testing.builders import ATOL, RTOL, check_builder, check_builders

__all__ = ["ATOL", "RTOL", "check_builder", "check_builders"]
