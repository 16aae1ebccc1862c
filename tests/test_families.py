"""Families on their own, against independent references: every density against scipy.stats at
sampled points, the log-likelihood the pipeline expands, the mean (μ is E[y] where the family says
so) and the variance φ·V(μ); the variance functions against statsmodels' families."""
import math
import random

import numpy as np
import pytest
import sympy as sp
from scipy import stats

from mlederive import symbolic as S
from mlederive.families import FAMILIES
from mlederive.links import LINKS

Y, MU = sp.Symbol("y", real=True), sp.Symbol("mu", real=True)

#: family → (parameter values, mu → frozen scipy distribution of y, y → the argument scipy takes, μ is E[y])
SCIPY = {
    "gaussian": ({"sigma": 1.3}, lambda mu: stats.norm(mu, 1.3), None, True),
    "bernoulli": ({}, lambda mu: stats.bernoulli(mu), None, True),
    "binomial": ({"m": 5}, lambda mu: stats.binom(5, mu), lambda y: round(5 * y), True),  # y is the proportion
    "poisson": ({}, lambda mu: stats.poisson(mu), None, True),
    "exponential": ({}, lambda mu: stats.expon(scale=mu), None, True),
    "gamma": ({"k": 2.5}, lambda mu: stats.gamma(a=2.5, scale=mu / 2.5), None, True),
    "inverse-gaussian": ({"lambda": 1.8}, lambda mu: stats.invgauss(mu / 1.8, scale=1.8), None, True),
    "negative-binomial": ({"alpha": 0.7}, lambda mu: stats.nbinom(1 / 0.7, 1 / (1 + 0.7 * mu)), None, True),
    "beta": ({"phi": 4.0}, lambda mu: stats.beta(mu * 4.0, (1 - mu) * 4.0), None, True),
    "laplace": ({"b": 0.8}, lambda mu: stats.laplace(mu, 0.8), None, True),
    "student-t": ({"nu": 3.0, "s": 1.4}, lambda mu: stats.t(3.0, mu, 1.4), None, True),
    # μ is the mean of log y, not of y
    "log-normal": ({"sigma": 0.6}, lambda mu: stats.lognorm(0.6, scale=math.exp(mu)), None, False),
    "geometric": ({}, lambda mu: stats.geom(1 / (1 + mu)), lambda y: y + 1, True),  # failures before a success
    # μ is the scale, E[y] = μ·Γ(1 + 1/k)
    "weibull": ({"k": 1.7}, lambda mu: stats.weibull_min(1.7, scale=mu), None, False),
    # μ is the Poisson rate λ; E[y] = (1 − π)λ
    "zero-inflated-poisson": ({"pi": 0.3}, lambda mu: _ZeroInflated(mu, 0.3), None, False),
    # μ is the location (the median): the Cauchy has no mean
    "cauchy": ({"gamma": 0.9}, lambda mu: stats.cauchy(mu, 0.9), None, False),
    # μ is the mean direction; scipy's vonmises is 2π-periodic in y − μ, as the density is
    "von-mises": ({"kappa": 2.2}, lambda mu: stats.vonmises(2.2, loc=mu), None, False),
    # μ is the τ-quantile; scipy's κ² = τ/(1 − τ) and scale σ/√(τ(1 − τ)) give rates τ/σ above μ, (1 − τ)/σ below
    "huber": ({"delta": 1.3}, lambda mu: _Huber(mu, 1.3), None, False),
    "tweedie": ({"p": 1.5, "phi": 0.8}, lambda mu: _Tweedie(mu, 0.8), None, True),
    # μ is the latent mean; a row at c is censored (scipy's norm.logcdf), any other is Gaussian (norm.logpdf)
    "tobit": ({"sigma": 1.3, "c": -0.4}, lambda mu: _Tobit(mu, 1.3, -0.4), None, False),
    "asymmetric-laplace": ({"tau": 0.3, "sigma": 0.7}, lambda mu: stats.laplace_asymmetric(
        math.sqrt(0.3 / 0.7), loc=mu, scale=0.7 / math.sqrt(0.3 * 0.7)), None, False),
}


class _Huber:
    """scipy has no Huber law: exp(−ρ_δ(y − μ)) with ρ_δ written piecewise, over its normaliser by scipy's quad."""

    def __init__(self, mu, delta):
        from scipy.integrate import quad

        self.mu, self.delta = mu, delta
        self.z = sum(quad(lambda r: math.exp(-self.rho(r)), a, b)[0]
                     for a, b in ((-math.inf, -delta), (-delta, delta), (delta, math.inf)))

    def rho(self, r):
        return r * r / 2 if abs(r) <= self.delta else self.delta * (abs(r) - self.delta / 2)

    def pdf(self, y):
        return math.exp(-self.rho(y - self.mu)) / self.z

    def logpdf(self, y):
        return -self.rho(y - self.mu) - math.log(self.z)

    def mean(self):
        return self.mu


class _Tweedie:
    """scipy has no Tweedie law: statsmodels' Tweedie family's log-likelihood (its own series) at power 1.5."""

    def __init__(self, mu, phi):
        import statsmodels.api as sm

        self.mu, self.phi = mu, phi
        self.family = sm.families.Tweedie(var_power=1.5, link=sm.families.links.Log())

    def logpdf(self, y):
        return float(self.family.loglike_obs(np.array([float(y)]), np.array([float(self.mu)]), scale=self.phi)[0])

    def pdf(self, y):
        return math.exp(self.logpdf(y))

    def mean(self):
        return self.mu

    def var(self):  # φ times statsmodels' variance function μ^p
        return self.phi * float(self.family.variance(np.array([float(self.mu)]))[0])


class _Tobit:
    """scipy has no Tobit law: Φ((c − μ)/σ) at y = c (norm.cdf), the Gaussian density elsewhere (norm.pdf)."""

    def __init__(self, mu, sigma, c):
        self.mu, self.sigma, self.c = mu, sigma, c

    def pdf(self, y):
        return math.exp(self.logpdf(y))

    def logpdf(self, y):
        if y == self.c:
            return float(stats.norm.logcdf((self.c - self.mu) / self.sigma))
        return float(stats.norm.logpdf(y, self.mu, self.sigma))


class _ZeroInflated:
    """scipy has no zero-inflated Poisson: its pmf from scipy's Poisson, π·1[y = 0] + (1 − π)·Poisson(y; λ)."""

    def __init__(self, lam, pi):
        self.poisson, self.pi = stats.poisson(lam), pi

    def pmf(self, y):
        return self.pi * (y == 0) + (1 - self.pi) * self.poisson.pmf(y)

    def logpmf(self, y):
        return math.log(self.pmf(y))

    def mean(self):
        return (1 - self.pi) * self.poisson.mean()

SCALAR = [name for name, fam in FAMILIES.items() if not fam.one_hot]


def test_every_scalar_family_has_a_reference():
    assert sorted(SCIPY) == sorted(SCALAR)


def _setup(name):
    fam = FAMILIES[name]
    values, frozen, to_scipy, mean_is_mu = SCIPY[name]
    params = {p.name: p.symbol for p in fam.params}
    at = {params[k]: sp.nsimplify(v) for k, v in values.items()}
    return fam, frozen, to_scipy or (lambda y: y), mean_is_mu, params, at


def _points(fam, rng, count=8):
    for n in range(count):
        mu = fam.sample_mean(rng)
        # a censored family's mass at its censoring point: every third point there (c = −0.4)
        yield mu, (-0.4 if fam.name == "tobit" and n % 3 == 0 else fam.sample_y(rng))


@pytest.mark.parametrize("name", SCALAR)
def test_density_matches_scipy(name):
    fam, frozen, to_scipy, _, params, at = _setup(name)
    density = sp.lambdify((Y, MU), S.expand_functions(fam.density(Y, MU, params).xreplace(at)), "mpmath")
    rng = random.Random(name)
    for mu, y in _points(fam, rng):
        if name == "binomial":
            y = round(5 * y) / 5
        dist = frozen(mu)
        ref = dist.pmf(to_scipy(y)) if hasattr(dist, "pmf") else dist.pdf(to_scipy(y))
        assert float(density(y, mu)) == pytest.approx(float(ref), rel=1e-9), (mu, y)


@pytest.mark.parametrize("name", SCALAR)
def test_expanded_log_density_is_the_log_of_the_density(name):
    """What the pipeline expands (log p with the logs split) equals scipy's logpdf, through the identity link."""
    fam, frozen, to_scipy, _, params, at = _setup(name)
    logp = sp.lambdify((Y, MU), S.expand_functions(fam.expanded_log_density(Y, MU, LINKS["identity"], params)
                                                   .xreplace(at)), "mpmath")
    rng = random.Random("log-" + name)
    for mu, y in _points(fam, rng):
        if name == "binomial":
            y = round(5 * y) / 5
        dist = frozen(mu)
        ref = dist.logpmf(to_scipy(y)) if hasattr(dist, "logpmf") else dist.logpdf(to_scipy(y))
        assert float(logp(y, mu)) == pytest.approx(float(ref), rel=1e-9, abs=1e-12), (mu, y)


@pytest.mark.parametrize("name", [n for n in SCALAR if SCIPY[n][3]])
def test_mu_is_the_mean(name):
    fam, frozen, to_scipy, _, params, at = _setup(name)
    rng = random.Random("mean-" + name)
    for mu, _ in _points(fam, rng, 5):
        mean = frozen(mu).mean()
        if name == "geometric":
            mean -= 1  # scipy counts trials, the family counts failures
        if name == "binomial":
            mean /= 5
        assert mean == pytest.approx(mu, rel=1e-9)


@pytest.mark.parametrize("name", [n for n in SCALAR if FAMILIES[n].variance(MU, {p.name: p.symbol for p in FAMILIES[n].params}) is not None])
def test_variance_is_dispersion_times_the_variance_function(name):
    fam, frozen, _, _, params, at = _setup(name)
    phi = fam.dispersion(params)
    if phi is None:
        pytest.skip("no dispersion form")
    rng = random.Random("var-" + name)
    for mu, _ in _points(fam, rng, 5):
        var = frozen(mu).var() / (25 if name == "binomial" else 1)
        ours = float(sp.N((phi * fam.variance(MU, params)).xreplace(at).subs(MU, mu)))
        assert ours == pytest.approx(var, rel=1e-9)


#: family → statsmodels family (with our parameters), where statsmodels has it
STATSMODELS = {
    "gaussian": lambda sm: sm.Gaussian(), "bernoulli": lambda sm: sm.Binomial(), "binomial": lambda sm: sm.Binomial(),
    "poisson": lambda sm: sm.Poisson(), "gamma": lambda sm: sm.Gamma(), "exponential": lambda sm: sm.Gamma(),
    "inverse-gaussian": lambda sm: sm.InverseGaussian(), "negative-binomial": lambda sm: sm.NegativeBinomial(alpha=0.7),
    "geometric": lambda sm: sm.NegativeBinomial(alpha=1.0),  # NB2 with α = 1
    "tweedie": lambda sm: sm.Tweedie(var_power=1.5),
}


@pytest.mark.parametrize("name", sorted(STATSMODELS))
def test_variance_function_matches_statsmodels(name):
    families = pytest.importorskip("statsmodels.genmod.families")
    theirs = STATSMODELS[name](families)
    fam = FAMILIES[name]
    _, _, _, _, params, at = _setup(name)
    rng = random.Random("sm-" + name)
    for mu, _ in _points(fam, rng, 5):
        ours = float(sp.N(fam.variance(MU, params).xreplace(at).subs(MU, mu)))
        assert ours == pytest.approx(float(theirs.variance(np.array([mu]))[0]), rel=1e-9)


@pytest.mark.parametrize("name", sorted(FAMILIES))
def test_sampled_points_lie_in_the_declared_support_and_mean_domain(name):
    """The verifier's sample points come from what the family declares (sympy decides membership)."""
    fam, rng = FAMILIES[name], random.Random(0)
    # a support that ends at a parameter (the Tobit's [c, ∞)): any real y, on either side of the sampled c
    support = fam.support if not fam.support.free_symbols else sp.S.Reals
    for _ in range(40):
        assert support.contains(sp.Rational(fam.sample_y(rng))) is sp.true
        if name != "categorical":  # its "mean" sample is a logit (any real): softmax makes the mean
            assert fam.mean_domain.contains(sp.Rational(fam.sample_mean(rng))) is sp.true


def test_sample_point_keeps_off_the_edges_and_refuses_what_it_cannot_sample():
    from mlederive.symbolic import sample_point

    rng = random.Random(1)
    open_unit = [sample_point(sp.Interval.open(0, 1), rng) for _ in range(200)]
    assert min(open_unit) >= 0.05 and max(open_unit) <= 0.95
    positive = [sample_point(sp.Interval.open(0, sp.oo), rng) for _ in range(200)]
    assert min(positive) >= 0.2 and max(positive) <= 4.2
    assert {sample_point(sp.FiniteSet(0, 1), rng) for _ in range(50)} == {0.0, 1.0}
    assert all(float(v).is_integer() and 0 <= v <= 7 for v in (sample_point(sp.S.Naturals0, rng) for _ in range(50)))
    with pytest.raises(ValueError, match="cannot sample"):
        sample_point(sp.ImageSet(sp.Lambda(sp.Symbol("k"), 2 * sp.Symbol("k")), sp.S.Integers), rng)


def test_a_family_names_statsmodels_exactly_when_statsmodels_has_it():
    """The library table's statsmodels row appears for these families and no other (not Laplace, not a custom density; a custom link keeps its family)."""
    assert {n for n, f in FAMILIES.items() if f.statsmodels} == set(STATSMODELS)
    from mlederive import derive

    for name, has in (("poisson-log", True), ("laplace-identity", False), ("categorical-softmax", False),
                      ("poisson-smooth-relu", True), ("rayleigh-log", False), ("gamma-log", True)):
        rows = [row for t in derive(name, verify_steps=False).tables for row in t.rows]
        assert any(str(r[0]) == "statsmodels" for r in rows) is has, name
    (table,) = [t for t in derive("poisson-log", verify_steps=False).tables if t.title.startswith("What libraries")]
    assert "sm.families.Poisson(link=sm.families.links.Log())" in table.rows[-1][1]
