"""The conformance harnesses: what every builder and every estimator must pass.

:func:`check_builder` / :func:`check_builders` (:mod:`zoo.testing.builders`) run a
registered builder through shapes, both APIs, training, config and ``.keras`` round
trips, a zoo-free SavedModel reload and its registry capability flags
(:mod:`zoo.testing.capabilities`); :func:`check_estimator`
(:mod:`zoo.testing.estimators`) runs an estimator through scikit-learn's
conventions, refusals before training, seeding and export/load parity.
"""

from zoo.testing.builders import ATOL, RTOL, check_builder, check_builders
from zoo.testing.estimators import check_estimator

__all__ = ["ATOL", "RTOL", "check_builder", "check_builders", "check_estimator"]
