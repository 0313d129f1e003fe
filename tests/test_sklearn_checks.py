"""scikit-learn's own estimator checks on ``zoo.Classifier``.

The default suite runs the checks zoo once failed (fitted-state, ``n_features_in_``,
input validation messages, sparse input); ``-m slow`` runs scikit-learn's whole
``check_estimator`` set (about 40 checks, minutes on 2 cores).
"""

import pytest
from sklearn.utils import estimator_checks as ec

import zoo

ONCE_FAILING = ["check_estimators_unfitted", "check_n_features_in",
                "check_n_features_in_after_fitting", "check_complex_data", "check_dtype_object",
                "check_estimators_empty_data_messages", "check_estimator_sparse_tag",
                "check_estimator_sparse_array", "check_estimator_sparse_matrix",
                "check_fit2d_1sample", "check_fit2d_predict1d"]


def _tiny():
    return zoo.Classifier(epochs=1, units=2, verbose=0, refit=False)


@pytest.mark.parametrize("name", ONCE_FAILING)
def test_scikit_learn_check(name):
    getattr(ec, name)("Classifier", _tiny())


@pytest.mark.slow
def test_every_scikit_learn_check_passes():
    results = ec.check_estimator(_tiny(), on_fail=None)
    failed = {r["check_name"]: repr(r["exception"])[:300] for r in results
              if r["status"] == "failed"}
    assert not failed, failed
    assert len(results) >= 40
