"""Links on their own: g(g⁻¹(η)) = η and the derivatives, symbolically, for every link; g, g⁻¹ and g′
against statsmodels' links (an independent implementation); the ranges the pairing rules rely on."""
import random

import numpy as np
import pytest
import sympy as sp

from mlederive.links import LINKS, inverse_residuals
from mlederive.symbolic import expand_functions

SCALAR = [name for name, link in LINKS.items() if not link.one_hot]

#: mlederive link → statsmodels link (every scalar link statsmodels has)
STATSMODELS = {"identity": "Identity", "log": "Log", "logit": "Logit", "probit": "Probit", "cloglog": "CLogLog",
               "loglog": "LogLog", "cauchit": "Cauchy", "inverse": "InversePower", "inverse-squared": "InverseSquared",
               "sqrt": "Sqrt"}


def eta_symbol(link):
    """η with the assumptions of the link's domain (positive for 1/√η, non-zero for 1/η)."""
    domain = link.eta_domain
    if domain.is_subset(sp.Interval.open(0, sp.oo)):
        return sp.Symbol("eta", positive=True)
    if domain.is_subset(sp.Interval(0, sp.oo)):
        return sp.Symbol("eta", nonnegative=True)
    if 0 not in domain:
        return sp.Symbol("eta", real=True, nonzero=True)
    return sp.Symbol("eta", real=True)


def is_zero(expr) -> bool:
    expr = expand_functions(expr)
    return sp.simplify(expr) == 0 or sp.simplify(sp.expand_log(expr, force=True)) == 0


def sample_eta(link, rng):
    for _ in range(1000):
        e = rng.uniform(-3, 3)
        if link.eta_domain.contains(e) is sp.true:
            return e
    raise AssertionError("no η sampled in %s" % link.eta_domain)


@pytest.mark.parametrize("name", SCALAR)
def test_g_of_its_inverse_is_the_identity_symbolically(name):
    link = LINKS[name]
    eta = eta_symbol(link)
    assert is_zero(link(link.inverse(eta)) - eta)


@pytest.mark.parametrize("name", SCALAR)
def test_derivatives_agree_with_differentiating_g_and_its_inverse(name):
    link = LINKS[name]
    eta = eta_symbol(link)
    mu = sp.Symbol("mu", positive=True) if link.mean_domain.is_subset(sp.Interval(0, sp.oo)) else sp.Symbol(
        "mu", real=True)
    assert is_zero(link.deriv(mu) - sp.diff(link(mu), mu))
    assert is_zero(link.inverse_deriv(eta) - sp.diff(link.inverse(eta), eta))
    # dμ/dη written in μ is 1/g′(μ), and at μ = g⁻¹(η) it is the derivative of g⁻¹
    assert is_zero(link.inverse_deriv_in_mu(mu) - 1 / sp.diff(link(mu), mu))
    assert is_zero(link.inverse_deriv_in_mu(link.inverse(eta)) - sp.diff(link.inverse(eta), eta))


@pytest.mark.parametrize("name", SCALAR)
def test_inverse_maps_the_eta_domain_into_the_inverse_range(name):
    link, rng = LINKS[name], random.Random(name)
    for _ in range(30):
        mu = sp.N(link.inverse(sp.Float(sample_eta(link, rng))))
        assert link.inverse_range.contains(mu) is sp.true, (name, mu)


@pytest.mark.parametrize("name", sorted(STATSMODELS))
def test_against_statsmodels(name):
    links = pytest.importorskip("statsmodels.genmod.families.links")
    theirs = getattr(links, STATSMODELS[name])()
    link, rng = LINKS[name], random.Random("sm-" + name)
    m = sp.Symbol("m", real=True)
    g, dg = sp.lambdify(m, link(m), "mpmath"), sp.lambdify(m, link.deriv(m), "mpmath")
    ginv = sp.lambdify(m, expand_functions(link.inverse(m)), "mpmath")
    for _ in range(20):
        e = sample_eta(link, rng)
        if name == "sqrt":
            e = abs(e)  # g⁻¹(η) = η² inverts √μ only for η ≥ 0
        mu = float(ginv(e))
        if not 1e-6 < abs(mu) < 1e6 or (link.mean_domain.is_subset(sp.Interval(0, 1)) and not 1e-6 < mu < 1 - 1e-6):
            continue
        assert float(theirs.inverse(np.array([e]))[0]) == pytest.approx(mu, rel=1e-9)
        assert float(theirs(np.array([mu]))[0]) == pytest.approx(float(g(mu)), rel=1e-7, abs=1e-9)
        assert float(theirs.deriv(np.array([mu]))[0]) == pytest.approx(float(dg(mu)), rel=1e-7)


def test_softmax_is_a_distribution_and_recovers_logit_differences():
    link = LINKS["softmax"]
    etas = sp.symbols("e1:4", real=True)
    mus = [sp.exp(e) / sum(sp.exp(x) for x in etas) for e in etas]
    assert sp.simplify(sum(mus) - 1) == 0
    for r in inverse_residuals(link, mus, list(etas)):
        assert sp.simplify(r) == 0
