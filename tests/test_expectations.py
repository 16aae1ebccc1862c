"""A moment the Fisher step puts in is the family's own: E[m(y)] = v(μ) for every μ the family allows, a claim with no η
in it — the same claim for every link of the family, decided once per process and sampled over all of the family's
means (not only those one link reaches). A wrong moment is still refused, whatever link asks."""
from __future__ import annotations

import dataclasses

import sympy as sp

from mlederive.derivation import derive
from mlederive.recipe import pair_recipe
from mlederive.verification import expectations, verify
from mlederive.verification.claims import build_claims


def _fisher(name):
    d = derive(pair_recipe(name))
    return d, d.step("fisher")


def _moments(d, step):
    ref = d.reference_of(step)
    return [c for c in build_claims(d.model, step, ref, None) if c.kind == "moment"]


def _has_eta(expr):
    return any(a.base.label.name.startswith("eta") for a in expr.atoms(sp.Indexed))


def test_the_beta_moments_are_one_claim_for_every_link_decided_once():
    logit, probit = _fisher("beta-logit"), _fisher("beta-probit")
    first, second = _moments(*logit), _moments(*probit)
    assert first and [c.expr for c in first] == [c.expr for c in second]
    assert not any(_has_eta(c.expr) for c in first)
    assert {("beta", c.expr) for c in first} <= set(expectations._FAMILY_MOMENTS)  # both derivations verified them
    assert all(expectations._FAMILY_MOMENTS[("beta", c.expr)].ok for c in first)


def test_a_positive_family_states_its_mean_positive():
    """SymPy integrates the Weibull's y^k·e^{−(y/λ)^k} only for λ > 0: the family's μ is positive where its means are."""
    d, step = _fisher("weibull-log")
    (claim,) = _moments(d, step)
    mus = [a for a in claim.expr.atoms(sp.Indexed) if a.base.label.name == "mu"]
    assert mus and all(a.is_positive for a in mus)
    assert dict(zip([s.id for s in d.steps], d.checks))["fisher"].method == "symbolic"


def test_a_wrong_moment_is_refused_after_the_right_one_was_proved():
    """The beta's E[log y] proved for beta-logit; beta-probit's Fisher step with that moment's value off by 1 % (and
    its entry following it) is refused: the wrong value is no family moment, so it is decided in η, afresh."""
    derive(pair_recipe("beta-logit"))
    d, step = _fisher("beta-probit")
    moments = list(step.payload.moments)
    moments[0] = (moments[0][0], moments[0][1] * sp.Rational(101, 100))
    (c0, cs), = step.payload.coefficients
    entry = c0 + sum(c * v for c, (_, v) in zip(cs, moments))
    lied = dataclasses.replace(step, expr=entry, display=None,
                               payload=dataclasses.replace(step.payload, moments=tuple(moments)))
    check = dict(zip([s.id for s in d.steps], verify(d.replace_step(lied)).checks))["fisher"]
    assert not check.verified and "quadrature" in check.detail


def test_a_decomposition_out_of_time_is_none_not_an_error(monkeypatch):
    """A curvature SymPy cannot split within DECOMPOSE_BUDGET seconds of CPU gets no Fisher step (as one that is no
    combination of the moments), never an error: a split that spins for 3 s under a budget of 0.2 s is None."""
    import time

    from mlederive import moments

    d = derive(pair_recipe("gamma-log"))
    model = d.model
    args = (d.step("curvature").expr, model.y_obs(), None, moments.expectation_terms(model))
    assert moments.decompose(*args) is not None

    def spinning(*a, **kw):
        end = time.process_time() + 3
        while time.process_time() < end:
            pass
        return (0, [])

    monkeypatch.setattr(moments, "_decompose", spinning)
    monkeypatch.setattr(moments, "DECOMPOSE_BUDGET", 0.2)
    assert moments.decompose(*args) is None
