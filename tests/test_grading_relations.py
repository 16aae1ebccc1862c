"""The relations (mlederive.grading.relations) on the model's own expressions: each accepts what it names and rejects
what only looks like it — a factor that depends on θ, a term that depends on θ — for one linear predictor and for the
softmax's classes (where the affine relation is one sum-of-squares claim)."""
from __future__ import annotations

import pytest
import sympy as sp

from mlederive import symbolic as S
from mlederive.derivation import derive
from mlederive.grading.relations import relate


@pytest.fixture(scope="module", params=["gaussian-identity", "categorical-softmax"])
def case(request):
    d = derive(request.param)
    return d, d.step("loss").expr, d.model.eta_obs()


def test_a_rescaling_and_a_dropped_constant_are_found(case):
    d, loss, _ = case
    sigma = d.model.params.get("sigma", sp.Integer(3))
    for after, relation, flips in ((2 * loss + 5, "rescaled by a positive factor, a θ-free constant dropped", False),
                                   (-loss / sigma ** 2, "negated and rescaled", True),
                                   (loss - sp.log(7), "θ-free constant dropped", False)):
        found = relate(loss, after, d.model)
        assert (found.valid, found.relation, found.flips) == (True, relation, flips), after


def test_a_factor_or_a_term_that_depends_on_theta_is_no_rescaling(case):
    d, loss, eta = case
    first = eta.xreplace({S.i: 1, S.k: 1})
    for after in ((1 + first ** 2) * loss, loss + sp.Sum(eta ** 2, (S.i, 1, S.n)) / S.n, loss + first / 1000):
        found = relate(loss, after, d.model)
        assert not found.valid and found.relation is None, after
