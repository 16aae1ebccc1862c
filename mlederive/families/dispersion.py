"""Exponential-dispersion families: a variance function V(μ) and a dispersion φ with Var y = φ·V(μ),
which give the textbook gradient (μ − y)·g⁻¹′(η)/(φ·V(μ)), and the Fisher information."""
from __future__ import annotations

import sympy as sp

from .. import symbolic as S
from ..libraries import StatsmodelsFamily
from .base import Counts, Family, Param, PositiveY, positive

_sigma = sp.Symbol("sigma", positive=True)
_m = sp.Symbol("m", positive=True, integer=True)
_k_shape = sp.Symbol("k", positive=True)
_lam = sp.Symbol("lambda", positive=True)
_alpha = sp.Symbol("alpha", positive=True)

#: the links statsmodels' families accept (each family's ``links``; NegativeBinomial takes any ``Power``)
_BINOMIAL_LINKS = ("logit", "probit", "cauchit", "log", "cloglog", "loglog", "identity")
_GAMMA_LINKS = ("inverse", "log", "identity")
_NB_LINKS = ("log", "cloglog", "identity", "sqrt", "inverse", "inverse-squared")


class Gaussian(Family):
    r"""Normal noise: :math:`p(y) = \frac{1}{\sqrt{2\pi}\sigma} e^{-(y-\mu)^2 / (2\sigma^2)}`."""

    name, title = "gaussian", "Gaussian"
    statsmodels = StatsmodelsFamily("Gaussian", ("identity", "log", "inverse"),
                                    loglike_keywords={"scale": lambda p: p["sigma"] ** 2})
    notation = "N(μ, σ²)"
    params = (Param("sigma", _sigma, "noise standard deviation"),)
    canonical_link = "identity"

    def density(self, y, mu, params):
        sigma = params["sigma"]
        return sp.exp(-(y - mu) ** 2 / (2 * sigma**2)) / (sp.sqrt(2 * sp.pi) * sigma)

    def textbook_density(self, y, mu, params):
        sigma = params["sigma"]
        return S.leading(S.reciprocal(S.held_product(sigma, S.held(S.held_product(2, sp.pi), sp.S.Half))),
                         sp.exp(-(y - mu) ** 2 / (2 * sigma**2)))

    def variance(self, mu, params):
        return sp.Integer(1)

    def dispersion(self, params):
        return params["sigma"] ** 2

    def moments(self, y, mu, params):
        sigma = params["sigma"]
        return ((y - mu, sp.S.Zero), ((y - mu) ** 2, sigma**2), ((y - mu) ** 3, sp.S.Zero),
                ((y - mu) ** 4, 3 * sigma**4))

    def moment_centre(self, mu, params):
        return mu


class Bernoulli(Family):
    r"""A binary outcome: :math:`p(y) = \mu^y (1-\mu)^{1-y}`, y ∈ {0, 1}."""

    name, title = "bernoulli", "Bernoulli"
    statsmodels = StatsmodelsFamily("Binomial", _BINOMIAL_LINKS)
    notation = "Bernoulli(μ)"
    support = sp.FiniteSet(0, 1)
    mean_domain = sp.Interval.open(0, 1)
    canonical_link = "logit"
    discrete = True

    def density(self, y, mu, params):
        return mu**y * (1 - mu) ** (1 - y)

    def textbook_density(self, y, mu, params):
        return S.held_product(S.held(mu, y), S.held(1 - mu, 1 - y))

    def variance(self, mu, params):
        return mu * (1 - mu)

    def dispersion(self, params):
        return sp.Integer(1)


class Poisson(Family):
    r"""Counts: :math:`p(y) = \mu^y e^{-\mu} / y!`, y ∈ {0, 1, 2, …}."""

    name, title = "poisson", "Poisson"
    statsmodels = StatsmodelsFamily("Poisson", ("log", "identity", "sqrt"))
    notation = "Poisson(μ)"
    support = sp.S.Naturals0
    mean_domain = sp.Interval.open(0, sp.oo)
    canonical_link = "log"
    discrete = True

    def density(self, y, mu, params):
        return mu**y * sp.exp(-mu) / sp.factorial(y)

    def textbook_density(self, y, mu, params):
        return S.held_product(S.held(mu, y), sp.exp(-mu), S.reciprocal(sp.factorial(y)))

    def variance(self, mu, params):
        return mu

    def dispersion(self, params):
        return sp.Integer(1)


class Categorical(Family):
    r"""One of K classes, y one-hot: :math:`p(y) = \prod_k \mu_k^{y_k}`."""

    name, title = "categorical", "Categorical"
    notation = "Categorical(μ_1, …, μ_K)"
    support = sp.FiniteSet(0, 1)  # each component of the one-hot vector
    mean_domain = sp.Interval.open(0, 1)
    canonical_link = "softmax"
    one_hot = True
    discrete = True

    def density(self, y, mu, params):
        """Π_k μ_k^{y_k} over the symbolic class index k (y and mu are the k-th components)."""
        return sp.Product(mu ** y, (S.k, 1, S.K))

    def expanded_log_density(self, y, eta, link, params):
        # Σ_k y_k (η_k − log Σ_j e^{η_j}) and the one-hot identity Σ_k y_k = 1.
        return sp.Sum(y * eta, (S.k, 1, S.K)) - sp.log(sp.Sum(sp.exp(eta.subs(S.k, S.j)), (S.j, 1, S.K)))

    def variance(self, mu, params):
        return mu * (1 - mu)

    def dispersion(self, params):
        return sp.Integer(1)

    def constraints(self, y_components: list) -> dict:
        """One-hot: the last component is one minus the others."""
        return {y_components[-1]: 1 - sp.Add(*y_components[:-1])}

    def sample_mean(self, rng, wide=False):
        return rng.uniform(-2, 2)  # logits: any real vector is a valid softmax input


class Binomial(Family):
    r"""The proportion y of successes in m known trials: :math:`p(y) = \binom{m}{my} \mu^{my} (1-\mu)^{m(1-y)}`."""

    name, title = "binomial", "Binomial"
    #: successes and failures as the response: statsmodels reads the trials m from them (``var_weights`` would
    #: weight a Bernoulli log-likelihood instead)
    statsmodels = StatsmodelsFamily("Binomial", _BINOMIAL_LINKS, endog="np.column_stack([{m}*y, {m} - {m}*y])")
    notation, notation_note = "Binomial(m, μ)/m", "the proportion of successes in $m$ trials"
    params = (Param("m", _m, "number of trials"),)
    support = sp.Interval(0, 1)
    mean_domain = sp.Interval.open(0, 1)
    canonical_link = "logit"

    def density(self, y, mu, params):
        m = params["m"]
        return sp.binomial(m, m * y) * mu ** (m * y) * (1 - mu) ** (m - m * y)

    def textbook_density(self, y, mu, params):
        m = params["m"]
        return S.held_product(sp.binomial(m, m * y), mu ** (m * y), S.held(1 - mu, S.held_product(m, 1 - y)))

    def variance(self, mu, params):
        return mu * (1 - mu)

    def dispersion(self, params):
        return 1 / params["m"]

    def sample_y(self, rng, wide=False):
        return rng.randint(0, 4) / 4  # proportions of a few trials, 0 and 1 included


class Exponential(PositiveY, Family):
    r"""Waiting times with mean μ: :math:`p(y) = e^{-y/\mu}/\mu`, y > 0."""

    name, title = "exponential", "Exponential"
    statsmodels = StatsmodelsFamily("Gamma", _GAMMA_LINKS, loglike_keywords={"scale": lambda p: 1})
    notation, notation_note = "Exponential(μ)", "with mean $μ_i$"
    mean_domain = positive
    canonical_link = "inverse"

    def density(self, y, mu, params):
        return sp.exp(-y / mu) / mu

    def textbook_density(self, y, mu, params):
        return S.leading(S.reciprocal(mu), sp.exp(-y / mu))

    def variance(self, mu, params):
        return mu**2

    def dispersion(self, params):
        return sp.Integer(1)


class Gamma(PositiveY, Family):
    r"""Shape k, mean μ: :math:`p(y) = \frac{(k/\mu)^k y^{k-1} e^{-ky/\mu}}{\Gamma(k)}`."""

    name, title = "gamma", "Gamma"
    statsmodels = StatsmodelsFamily("Gamma", _GAMMA_LINKS, loglike_keywords={"scale": lambda p: 1 / p["k"]})
    notation, notation_note = "Gamma(k, μ)", "with shape $k$ and mean $μ_i$"
    params = (Param("k", _k_shape, "shape"),)
    mean_domain = positive
    canonical_link = "inverse"

    def density(self, y, mu, params):
        k = params["k"]
        return (k / mu) ** k * y ** (k - 1) * sp.exp(-k * y / mu) / sp.gamma(k)

    def textbook_density(self, y, mu, params):
        k = params["k"]
        return S.leading(S.reciprocal(sp.gamma(k)),
                         S.held_product(S.held(S.held_product(k, S.reciprocal(mu)), k), y ** (k - 1),
                                        sp.exp(-k * y / mu)))

    def variance(self, mu, params):
        return mu**2

    def dispersion(self, params):
        return 1 / params["k"]

    def moments(self, y, mu, params):
        k = params["k"]  # the sufficient statistics of the gamma with shape k and rate k/μ
        return ((y, mu), (sp.log(y), sp.digamma(k) - sp.log(k / mu)))


class InverseGaussian(PositiveY, Family):
    r"""Shape λ, mean μ: :math:`p(y) = \sqrt{\lambda/(2\pi y^3)}\, e^{-\lambda (y-\mu)^2/(2\mu^2 y)}`."""

    name, title = "inverse-gaussian", "Inverse Gaussian"
    statsmodels = StatsmodelsFamily("InverseGaussian", ("inverse-squared", "inverse", "identity", "log"),
                                    loglike_keywords={"scale": lambda p: 1 / p["lambda"]})
    notation, notation_note = "IG(μ, λ)", "with mean $μ_i$ and shape $λ$"
    params = (Param("lambda", _lam, "shape"),)
    mean_domain = positive
    canonical_link = "inverse-squared"

    def density(self, y, mu, params):
        lam = params["lambda"]
        return sp.sqrt(lam / (2 * sp.pi * y**3)) * sp.exp(-lam * (y - mu) ** 2 / (2 * mu**2 * y))

    def textbook_density(self, y, mu, params):
        lam = params["lambda"]
        root = S.held(S.held_product(lam, S.reciprocal(S.held_product(2, sp.pi, y**3))), sp.S.Half)
        return S.held_product(root, sp.exp(-lam * (y - mu) ** 2 / (2 * mu**2 * y)))

    def variance(self, mu, params):
        return mu**3

    def dispersion(self, params):
        return 1 / params["lambda"]


class NegativeBinomial(Counts, Family):
    r"""Over-dispersed counts (NB2), Var = μ + αμ²: :math:`p(y) = \frac{\Gamma(y+1/\alpha)}{y!\,\Gamma(1/\alpha)}
    \left(\frac{1}{1+\alpha\mu}\right)^{1/\alpha} \left(\frac{\alpha\mu}{1+\alpha\mu}\right)^{y}`."""

    name, title = "negative-binomial", "Negative binomial"
    statsmodels = StatsmodelsFamily("NegativeBinomial", _NB_LINKS, family_keywords={"alpha": lambda p: p["alpha"]})
    notation, notation_note = "NB(μ, α)", "with mean $μ_i$ and variance $μ_i + αμ_i²$"
    params = (Param("alpha", _alpha, "dispersion"),)
    canonical_link = None  # log(αμ/(1+αμ)) is not among the links; log is the usual choice
    natural_link = "log"
    #: with α predicted, the curvature in α has ψ(y + 1/α) and ψ′(y + 1/α), whose expectations are infinite series
    moments_missing = "$E[ψ(y + 1/α)]$ and $E[ψ′(y + 1/α)]$ have no closed form"

    def density(self, y, mu, params):
        a = params["alpha"]
        return (sp.gamma(y + 1 / a) / (sp.factorial(y) * sp.gamma(1 / a))
                * (1 / (1 + a * mu)) ** (1 / a) * (a * mu / (1 + a * mu)) ** y)

    def textbook_density(self, y, mu, params):
        a = params["alpha"]
        return S.leading(sp.gamma(y + 1 / a) / (sp.factorial(y) * sp.gamma(1 / a)),
                         S.held_product(S.held(S.reciprocal(1 + a * mu), 1 / a),
                                        S.held(S.held_product(a * mu, S.reciprocal(1 + a * mu)), y)))

    def variance(self, mu, params):
        return mu + params["alpha"] * mu**2

    def dispersion(self, params):
        return sp.Integer(1)


class Geometric(Counts, Family):
    r"""Failures before the first success, mean μ: :math:`p(y) = \frac{1}{1+\mu}\left(\frac{\mu}{1+\mu}\right)^y`."""

    name, title = "geometric", "Geometric"
    #: NB2 with α = 1 is the geometric distribution
    statsmodels = StatsmodelsFamily("NegativeBinomial", _NB_LINKS, family_keywords={"alpha": lambda p: 1})
    notation, notation_note = "Geometric(μ)", "with mean $μ_i$"
    canonical_link = None
    natural_link = "log"

    def density(self, y, mu, params):
        return (mu / (1 + mu)) ** y / (1 + mu)

    def textbook_density(self, y, mu, params):
        return S.leading(S.reciprocal(1 + mu), S.held(S.held_product(mu, S.reciprocal(1 + mu)), y))

    def variance(self, mu, params):
        return mu + mu**2

    def dispersion(self, params):
        return sp.Integer(1)
