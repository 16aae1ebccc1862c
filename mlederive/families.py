"""Distribution families: the assumed law of y given the mean μ.

Each family is a short declarative class, after sympy.stats' distributions and
statsmodels' GLM families: its density in SymPy, its nuisance parameters with
SymPy assumptions, its support and mean domain, its canonical link, and (for
exponential-dispersion families) the variance function V(μ) and dispersion φ
that give the textbook gradient (μ − y)·g⁻¹'(η) / (φ V(μ)).

Which links a family accepts is *derived* from the links' ranges: a link whose
inverse maps all of ℝ into the family's mean domain is valid; one that can
leave it is valid only under a constraint on η; one of the wrong shape
(softmax on a scalar family) is refused.
"""
from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from . import symbolic as S
from .links import LINKS, Link


@dataclass(frozen=True)
class Param:
    """A nuisance parameter of a family (σ, b, …), known or learned per recipe."""

    name: str
    symbol: sp.Symbol
    meaning: str
    default: str = "known"  # "known" | "learned"


@dataclass(frozen=True)
class Pairing:
    """How a link relates to a family: canonical, valid, constrained or refused."""

    status: str
    reason: str = ""


class Family:
    name: str = ""
    title: str = ""
    #: how the model line reads, with {mu} and parameter names substituted
    notation: str = ""
    params: tuple[Param, ...] = ()
    support: sp.Set = sp.S.Reals
    mean_domain: sp.Set = sp.S.Reals
    canonical_link: str = ""
    vector: bool = False
    discrete: bool = False

    # -- the density ---------------------------------------------------------------
    def density(self, y: sp.Expr, mu: sp.Expr, params: dict) -> sp.Expr:
        """p(y | μ, params)."""
        raise NotImplementedError

    def expanded_log_density(self, y: sp.Expr, eta: sp.Expr, link: Link, params: dict) -> sp.Expr:
        """log p(y | η) written as a sum of simple terms.

        Generic fallback: split the log of products and powers (valid because
        every factor of a density is positive on the support) and merge the
        logs of pure numbers. The verifier proves the result equal to
        log p, so a subclass may override this with a nicer closed form.
        """
        logp = sp.log(self.density(y, link.inverse(eta), params))
        return S.tidy_constants(sp.expand_log(logp, force=True))

    # -- what the textbook gradient needs ----------------------------------------------
    def variance(self, mu: sp.Expr):
        """V(μ), or None when the family is not an exponential-dispersion family."""
        return None

    def dispersion(self, params: dict):
        """φ, or None."""
        return None

    # -- pairing with links ----------------------------------------------------------------
    def pairing(self, link: Link) -> Pairing:
        if link.vector != self.vector:
            if link.vector:
                return Pairing("refused", "%s is a link for vector outcomes (the categorical family) only" % link.name)
            return Pairing("refused", "the %s family has a vector outcome and needs a vector link" % self.name)
        if link.name == self.canonical_link:
            return Pairing("canonical")
        if link.inverse_range.is_subset(self.mean_domain):
            return Pairing("valid")
        if link.inverse_range.intersect(self.mean_domain) is sp.S.EmptySet:
            return Pairing("refused", "g⁻¹ of %s never lands in the mean domain %s" % (link.name, self.mean_domain))
        return Pairing(
            "constrained",
            "g⁻¹ of %s ranges over %s but the %s mean must lie in %s"
            % (link.name, link.inverse_range, self.name, self.mean_domain),
        )

    def allowed_links(self) -> list[str]:
        """Link names this family accepts, canonical first."""
        ok = [name for name, link in LINKS.items() if self.pairing(link).status != "refused"]
        return sorted(ok, key=lambda name: (name != self.canonical_link, name))

    # -- numeric checks ---------------------------------------------------------------------
    def sample_y(self, rng) -> float:
        """A point of the support, for the verifier's numeric fallback."""
        return rng.uniform(-3, 3)

    def sample_mean(self, rng) -> float:
        """A point of the mean domain."""
        return rng.uniform(-3, 3)

    def __repr__(self) -> str:
        return "%s()" % type(self).__name__


_sigma = sp.Symbol("sigma", positive=True)
_b = sp.Symbol("b", positive=True)


class Gaussian(Family):
    r"""Normal noise: :math:`p(y) = \frac{1}{\sqrt{2\pi}\sigma} e^{-(y-\mu)^2 / (2\sigma^2)}`."""

    name, title = "gaussian", "Gaussian"
    notation = "N(μ, σ²)"
    params = (Param("sigma", _sigma, "noise standard deviation"),)
    canonical_link = "identity"

    def density(self, y, mu, params):
        sigma = params["sigma"]
        return sp.exp(-(y - mu) ** 2 / (2 * sigma**2)) / (sp.sqrt(2 * sp.pi) * sigma)

    def variance(self, mu):
        return sp.Integer(1)

    def dispersion(self, params):
        return params["sigma"] ** 2


class Bernoulli(Family):
    r"""A binary outcome: :math:`p(y) = \mu^y (1-\mu)^{1-y}`, y ∈ {0, 1}."""

    name, title = "bernoulli", "Bernoulli"
    notation = "Bernoulli(μ)"
    support = sp.FiniteSet(0, 1)
    mean_domain = sp.Interval.open(0, 1)
    canonical_link = "logit"
    discrete = True

    def density(self, y, mu, params):
        return mu**y * (1 - mu) ** (1 - y)

    def variance(self, mu):
        return mu * (1 - mu)

    def dispersion(self, params):
        return sp.Integer(1)

    def sample_y(self, rng):
        return float(rng.randint(0, 1))

    def sample_mean(self, rng):
        return rng.uniform(0.05, 0.95)


class Poisson(Family):
    r"""Counts: :math:`p(y) = \mu^y e^{-\mu} / y!`, y ∈ {0, 1, 2, …}."""

    name, title = "poisson", "Poisson"
    notation = "Poisson(μ)"
    support = sp.S.Naturals0
    mean_domain = sp.Interval.open(0, sp.oo)
    canonical_link = "log"
    discrete = True

    def density(self, y, mu, params):
        return mu**y * sp.exp(-mu) / sp.factorial(y)

    def variance(self, mu):
        return mu

    def dispersion(self, params):
        return sp.Integer(1)

    def sample_y(self, rng):
        return float(rng.randint(0, 7))

    def sample_mean(self, rng):
        return rng.uniform(0.1, 6)


class Laplace(Family):
    r"""Double-exponential noise: :math:`p(y) = \frac{1}{2b} e^{-|y-\mu|/b}`."""

    name, title = "laplace", "Laplace"
    notation = "Laplace(μ, b)"
    params = (Param("b", _b, "scale"),)
    canonical_link = "identity"  # not an exponential family: the natural choice, not a canonical one

    def density(self, y, mu, params):
        b = params["b"]
        return sp.exp(-sp.Abs(y - mu) / b) / (2 * b)


class Categorical(Family):
    r"""One of K classes, y one-hot: :math:`p(y) = \prod_k \mu_k^{y_k}`."""

    name, title = "categorical", "Categorical"
    notation = "Categorical(μ_1, …, μ_K)"
    support = sp.FiniteSet(0, 1)  # each component of the one-hot vector
    mean_domain = sp.Interval.open(0, 1)
    canonical_link = "softmax"
    vector = True
    discrete = True

    def density(self, y, mu, params):
        """Π_k μ_k^{y_k} over the symbolic class index k (y and mu are the k-th components)."""
        return sp.Product(mu ** y, (S.k, 1, S.K))

    def expanded_log_density(self, y, eta, link, params):
        # Σ_k y_k (η_k − log Σ_j e^{η_j}) and the one-hot identity Σ_k y_k = 1.
        return sp.Sum(y * eta, (S.k, 1, S.K)) - sp.log(sp.Sum(sp.exp(eta.subs(S.k, S.j)), (S.j, 1, S.K)))

    def variance(self, mu):
        return mu * (1 - mu)

    def dispersion(self, params):
        return sp.Integer(1)

    def constraints(self, y_components: list) -> dict:
        """One-hot: the last component is one minus the others."""
        return {y_components[-1]: 1 - sp.Add(*y_components[:-1])}

    def sample_mean(self, rng):
        return rng.uniform(-2, 2)  # logits: any real vector is a valid softmax input


_FAMILIES = [Gaussian, Bernoulli, Categorical, Laplace, Poisson]
FAMILIES: dict[str, Family] = {cls.name: cls() for cls in _FAMILIES}


def get_family(name: str) -> Family:
    return FAMILIES[name]
