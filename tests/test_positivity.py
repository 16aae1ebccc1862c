"""Positivity proofs (mlederive.verification.positivity): the lemmas prove the curvatures that are positive —
the probit's (Φ is log-concave), the complementary log-log's, the square-root and softplus Poisson's — and
reject every claim that is false somewhere, however close to true; where a curvature is not positive, the
witness found is a real point, recomputed here with mpmath independently."""
import mpmath
import pytest
import sympy as sp

from mlederive import derive
from mlederive import symbolic as S
from mlederive.symbolic import Phi, phi
from mlederive.verification.positivity import proved_positive, sign_witness
from mlederive.verification.prover import Claim, prove


def _curvature(pair):
    d = derive(pair, verify_steps=False)
    return d.model, d.model.concretize(d.curvature_obs)


@pytest.mark.parametrize("pair", ["bernoulli-probit", "bernoulli-cloglog", "bernoulli-loglog", "binomial-probit",
                                  "poisson-sqrt", "poisson-softplus", "bernoulli-logit", "gamma-log"])
def test_convex_curvatures_are_proved_positive(pair):
    model, curvature = _curvature(pair)
    assert proved_positive(curvature, model, budget=5.0), pair


def test_a_censored_curvature_is_proved_case_by_case_and_a_wrong_case_refused():
    """The Tobit's curvature: 1/σ² for an uncensored row, the Mills ratio's m(z)(m(z) + z)/σ² (z = (c − η)/σ) for a
    censored one — proved by splitting on 1[y = c] and putting z for η (any real z); a case made wrong is refused."""
    model, curvature = _curvature("tobit")
    assert proved_positive(curvature, model, budget=5.0)
    flag = next(iter(curvature.atoms(sp.KroneckerDelta)))
    sigma = next(s for s in curvature.free_symbols if s.name == "sigma")
    for wrong in (curvature - flag / (2 * sigma ** 2),  # the censored case minus more than it has
                  curvature - (1 - flag) * 2 / sigma ** 2,  # the uncensored case made negative
                  curvature.xreplace({flag: 1}) - 1 / sigma ** 2):  # m(z)(m(z) + z) − 1 < 0 everywhere
        assert not proved_positive(wrong, model, budget=5.0), wrong


@pytest.mark.parametrize("pair", ["bernoulli-probit", "bernoulli-cloglog", "poisson-softplus", "binomial-probit"])
@pytest.mark.parametrize("wrong", [lambda c, e: c - sp.Rational(1, 1000),  # negative far out, where c → 0
                                   lambda c, e: c - sp.exp(-(e - 3) ** 2) / 100,  # a dent near η = 3
                                   lambda c, e: c * (e - 7) ** 2 - sp.Rational(1, 10 ** 6),  # 0 − ε at η = 7
                                   lambda c, e: c * e])  # negative for η < 0
def test_a_curvature_made_wrong_anywhere_is_not_proved(pair, wrong):
    model, curvature = _curvature(pair)
    eta = model.eta_obs()
    assert not proved_positive(wrong(curvature, eta), model, budget=5.0)


def test_the_monotone_lemma_needs_smoothness_and_the_right_limit():
    """−1/η rises on both sides of 0 and tends to 0 at −∞, yet is negative for η > 0: a pole is no interval."""
    model, _ = _curvature("gaussian-identity")
    eta = model.eta_obs()
    for false in (-1 / eta, eta * Phi(eta), eta * Phi(eta) + phi(eta) - sp.Rational(1, 10 ** 9),
                  sp.exp(eta) - 1, sp.atan(eta) + sp.pi / 2 - sp.Rational(1, 100)):
        assert not proved_positive(false, model, budget=5.0), false
    for true in (eta * Phi(eta) + phi(eta), phi(eta) - eta * (1 - Phi(eta)), sp.exp(eta) - sp.log(1 + sp.exp(eta)),
                 sp.atan(eta) + sp.pi / 2):
        assert proved_positive(true, model, budget=5.0), true


def test_a_linear_y_term_is_split_only_as_its_support_allows():
    """y/η² is 0 at y = 0 (poisson-identity: counts include 0) — not positive; with y > 0 (gamma) it is."""
    model, curvature = _curvature("poisson-identity")
    assert not proved_positive(curvature, model, budget=5.0)
    gamma = derive("gamma-identity", verify_steps=False).model
    assert proved_positive(S.y[S.i] / S.eta[S.i] ** 2, gamma, budget=5.0)


def _value_at(expr, model, witness, params=None):
    at = {model.y_obs(): witness.y, model.eta_obs(): witness.eta}
    at.update({s: 1 for s in expr.free_symbols if not isinstance(s, sp.Indexed)})
    at.update(params or {})
    with mpmath.workdps(60):
        return mpmath.mpf(sp.N(S.expand_functions(expr.xreplace(at)), 60))


@pytest.mark.parametrize("pair", ["bernoulli-cauchit", "student-t-identity", "inverse-gaussian-log", "poisson-probit",
                                  "gaussian-log", "beta-logit"])
def test_a_negative_witness_is_a_real_point_where_the_curvature_is_negative(pair):
    model, curvature = _curvature(pair)
    assert not prove(Claim("positive", curvature, "c"), model, budget=3.0).ok
    witness = sign_witness(curvature, model)
    assert witness is not None and witness.negative
    assert model.family.support.contains(witness.y) is sp.true
    assert _value_at(curvature, model, witness) < 0


def test_poisson_identity_has_a_zero_witness_at_y_0():
    model, curvature = _curvature("poisson-identity")
    witness = sign_witness(curvature, model)
    assert witness.y == 0 and witness.value == 0 and witness.eta > 0  # η > 0 where the identity link is valid
