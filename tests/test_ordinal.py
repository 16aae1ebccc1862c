"""Ordinal regression (cumulative logit): the derived loss is statsmodels' OrderedModel negative log-likelihood at
its own parametrisation of the cut-points (c₁, then log increments), its gradient chained through X is
OrderedModel's score, and a wrong gradient is refused in the class where it is wrong."""
import dataclasses

import numpy as np
import pytest
import sympy as sp

from mlederive import symbolic as S
from mlederive.derivation import derive
from mlederive.verification import verify

statsmodels = pytest.importorskip("statsmodels.miscmodels.ordinal_model")


@pytest.fixture(scope="module")
def doc():
    return derive("ordinal-logit")


def _step(doc, title):
    return next(s for s in doc.steps if str(s.title) == title)


def _data(n=200, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 2))
    latent = X @ np.array([0.8, -1.2]) + rng.logistic(size=n)
    return X, np.digitize(latent, [-1.0, 0.3, 1.5])  # classes 0..3


def _per_row(expr, doc, at):
    """``expr`` (in η_i, y_i and the cut-point parameters) as a function of (η, y) arrays."""
    free = sorted((s for s in expr.free_symbols if s.name.startswith(("c_", "a_"))), key=str)
    f = sp.lambdify([S.eta[S.i], S.y[S.i]] + free, S.expand_functions(expr).replace(
        sp.KroneckerDelta, lambda a, b: sp.Piecewise((1, sp.Eq(a, b)), (0, True))), "numpy")
    return lambda eta, y: np.array([f(e, t, *[at[s.name] for s in free]) for e, t in zip(eta, y)], dtype=float)


def test_nll_and_score_are_statsmodels(doc):
    assert doc.verified
    X, labels = _data()
    model = statsmodels.OrderedModel(labels, X, distr="logit")
    params = np.array([0.7, -1.1, -0.9, np.log(1.2), np.log(1.3)])  # β, c₁, log(c₂ − c₁), log(c₃ − c₂)
    at = {"c_1": params[2], "a_2": params[3], "a_3": params[4]}
    eta = X @ params[:2]
    nll = _per_row(_step(doc, "Cut-points kept in order").expr, doc, at)(eta, labels + 1)
    assert nll.sum() == pytest.approx(-model.loglike(params), rel=1e-12)
    cuts = {"c_1": params[2], "c_2": params[2] + np.exp(params[3]),
            "c_3": params[2] + np.exp(params[3]) + np.exp(params[4])}
    grad = _per_row(_step(doc, "Gradient in η_i").expr, doc, cuts)(eta, labels + 1)
    np.testing.assert_allclose(-(X.T @ grad), model.score(params)[:2], rtol=1e-6)


def test_a_gradient_wrong_in_one_class_is_refused(doc):
    step = _step(doc, "Gradient in η_i")
    last = sp.KroneckerDelta(S.y[S.i], 4)
    wrong = step.expr + last * sp.Rational(1, 100)  # off in the last class only
    steps = [dataclasses.replace(s, expr=wrong) if s is step else s for s in doc.steps]
    checked = verify(dataclasses.replace(doc, steps=steps, checks=[]))
    assert not checked.checks[doc.steps.index(step)].verified
