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
from .pairing import Pairing, PairingStatus, eta_constraint


@dataclass(frozen=True)
class Param:
    """A nuisance parameter of a family (σ, b, …), known or learned per recipe."""

    name: str
    symbol: sp.Symbol
    meaning: str
    default: str = "known"  # "known" | "learned"


class Family:
    name: str = ""
    title: str = ""
    #: how the model line reads, with {mu} and parameter names substituted
    notation: str = ""
    params: tuple[Param, ...] = ()
    support: sp.Set = sp.S.Reals
    mean_domain: sp.Set = sp.S.Reals
    canonical_link: str | None = ""
    #: the usual link when no available link is canonical (negative binomial: log)
    natural_link: str | None = None
    vector: bool = False
    discrete: bool = False
    #: the statsmodels GLM family with this density (its log-likelihood keeps every constant), or None
    statsmodels: str | None = None

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
    def variance(self, mu: sp.Expr, params: dict):
        """V(μ) (with the family's parameters, e.g. the negative binomial's α), or None when the family is
        not an exponential-dispersion family. Var(y) = φ·V(μ)."""
        return None

    def dispersion(self, params: dict):
        """φ, or None."""
        return None

    # -- pairing with links ----------------------------------------------------------------
    def pairing(self, link: Link) -> Pairing:
        if link.vector != self.vector:
            if link.vector:
                return Pairing(PairingStatus.REFUSED, "%s is a link for vector outcomes (the categorical family) only" % link.name)
            return Pairing(PairingStatus.REFUSED, "the %s family has a vector outcome and needs a vector link" % self.name)
        whole_line = link.eta_domain == sp.S.Reals
        if link.name == self.canonical_link:
            return Pairing(PairingStatus.CANONICAL, constraint="" if whole_line else eta_constraint(link, self))
        if link.inverse_range.is_subset(self.mean_domain) and whole_line:
            return Pairing(PairingStatus.VALID)
        if link.inverse_range.intersect(self.mean_domain) is sp.S.EmptySet:
            return Pairing(PairingStatus.REFUSED, "g⁻¹ of %s never lands in the mean domain %s" % (link.name, self.mean_domain))
        constraint = eta_constraint(link, self)
        return Pairing(
            PairingStatus.CONSTRAINED,
            "g⁻¹ of %s is a valid %s mean only for %s" % (link.name, self.name, constraint), constraint,
        )

    def allowed_links(self) -> list[str]:
        """Link names this family accepts, canonical first."""
        ok = [name for name, link in LINKS.items() if self.pairing(link).status != "refused"]
        first = self.canonical_link or self.natural_link
        return sorted(ok, key=lambda name: (name != first, name))

    # -- numeric checks ---------------------------------------------------------------------
    def sample_y(self, rng, wide: bool = False) -> float:
        """A point of the support, for the verifier's numeric checks (``wide``: far out in it too)."""
        return S.sample_point(self.support, rng, wide)

    def sample_mean(self, rng, wide: bool = False) -> float:
        """A point of the mean domain (``wide``: near its edges and far out too)."""
        return S.sample_point(self.mean_domain, rng, wide)

    def __repr__(self) -> str:
        return "%s()" % type(self).__name__


_sigma = sp.Symbol("sigma", positive=True)
_b = sp.Symbol("b", positive=True)


class Gaussian(Family):
    r"""Normal noise: :math:`p(y) = \frac{1}{\sqrt{2\pi}\sigma} e^{-(y-\mu)^2 / (2\sigma^2)}`."""

    name, title = "gaussian", "Gaussian"
    statsmodels = "sm.families.Gaussian()"
    notation = "N(μ, σ²)"
    params = (Param("sigma", _sigma, "noise standard deviation"),)
    canonical_link = "identity"

    def density(self, y, mu, params):
        sigma = params["sigma"]
        return sp.exp(-(y - mu) ** 2 / (2 * sigma**2)) / (sp.sqrt(2 * sp.pi) * sigma)

    def variance(self, mu, params):
        return sp.Integer(1)

    def dispersion(self, params):
        return params["sigma"] ** 2


class Bernoulli(Family):
    r"""A binary outcome: :math:`p(y) = \mu^y (1-\mu)^{1-y}`, y ∈ {0, 1}."""

    name, title = "bernoulli", "Bernoulli"
    statsmodels = "sm.families.Binomial()"
    notation = "Bernoulli(μ)"
    support = sp.FiniteSet(0, 1)
    mean_domain = sp.Interval.open(0, 1)
    canonical_link = "logit"
    discrete = True

    def density(self, y, mu, params):
        return mu**y * (1 - mu) ** (1 - y)

    def variance(self, mu, params):
        return mu * (1 - mu)

    def dispersion(self, params):
        return sp.Integer(1)


class Poisson(Family):
    r"""Counts: :math:`p(y) = \mu^y e^{-\mu} / y!`, y ∈ {0, 1, 2, …}."""

    name, title = "poisson", "Poisson"
    statsmodels = "sm.families.Poisson()"
    notation = "Poisson(μ)"
    support = sp.S.Naturals0
    mean_domain = sp.Interval.open(0, sp.oo)
    canonical_link = "log"
    discrete = True

    def density(self, y, mu, params):
        return mu**y * sp.exp(-mu) / sp.factorial(y)

    def variance(self, mu, params):
        return mu

    def dispersion(self, params):
        return sp.Integer(1)


class Laplace(Family):
    r"""Double-exponential noise: :math:`p(y) = \frac{1}{2b} e^{-|y-\mu|/b}`."""

    name, title = "laplace", "Laplace"
    notation = "Laplace(μ, b)"
    params = (Param("b", _b, "scale"),)
    canonical_link = None  # not an exponential family: it has no canonical link
    natural_link = "identity"

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

    def variance(self, mu, params):
        return mu * (1 - mu)

    def dispersion(self, params):
        return sp.Integer(1)

    def constraints(self, y_components: list) -> dict:
        """One-hot: the last component is one minus the others."""
        return {y_components[-1]: 1 - sp.Add(*y_components[:-1])}

    def sample_mean(self, rng, wide=False):
        return rng.uniform(-2, 2)  # logits: any real vector is a valid softmax input


_positive = sp.Interval.open(0, sp.oo)
_m = sp.Symbol("m", positive=True, integer=True)
_k_shape = sp.Symbol("k", positive=True)
_lam = sp.Symbol("lambda", positive=True)
_alpha = sp.Symbol("alpha", positive=True)
_phi = sp.Symbol("phi", positive=True)
_nu = sp.Symbol("nu", positive=True)
_s = sp.Symbol("s", positive=True)


class _Counts:
    """Mixin: y ∈ {0, 1, 2, …} with a positive mean (the verifier samples them there)."""

    support = sp.S.Naturals0
    mean_domain = sp.Interval.open(0, sp.oo)
    discrete = True


class _PositiveY:
    """Mixin: a continuous y > 0 (the verifier samples it there)."""

    support = _positive


class Binomial(Family):
    r"""The proportion y of successes in m known trials: :math:`p(y) = \binom{m}{my} \mu^{my} (1-\mu)^{m(1-y)}`."""

    name, title = "binomial", "Binomial"
    statsmodels = "sm.families.Binomial() with var_weights m"
    notation = "Binomial(m, μ)/m"
    params = (Param("m", _m, "number of trials"),)
    support = sp.Interval(0, 1)
    mean_domain = sp.Interval.open(0, 1)
    canonical_link = "logit"

    def density(self, y, mu, params):
        m = params["m"]
        return sp.binomial(m, m * y) * mu ** (m * y) * (1 - mu) ** (m - m * y)

    def variance(self, mu, params):
        return mu * (1 - mu)

    def dispersion(self, params):
        return 1 / params["m"]

    def sample_y(self, rng, wide=False):
        return rng.randint(0, 4) / 4  # proportions of a few trials, 0 and 1 included


class Exponential(_PositiveY, Family):
    r"""Waiting times with mean μ: :math:`p(y) = e^{-y/\mu}/\mu`, y > 0."""

    name, title = "exponential", "Exponential"
    statsmodels = "sm.families.Gamma() with scale = 1"
    notation = "Exponential(mean μ)"
    mean_domain = _positive
    canonical_link = "inverse"

    def density(self, y, mu, params):
        return sp.exp(-y / mu) / mu

    def variance(self, mu, params):
        return mu**2

    def dispersion(self, params):
        return sp.Integer(1)


class Gamma(_PositiveY, Family):
    r"""Shape k, mean μ: :math:`p(y) = \frac{(k/\mu)^k y^{k-1} e^{-ky/\mu}}{\Gamma(k)}`."""

    name, title = "gamma", "Gamma"
    statsmodels = "sm.families.Gamma()"
    notation = "Gamma(shape k, mean μ)"
    params = (Param("k", _k_shape, "shape"),)
    mean_domain = _positive
    canonical_link = "inverse"

    def density(self, y, mu, params):
        k = params["k"]
        return (k / mu) ** k * y ** (k - 1) * sp.exp(-k * y / mu) / sp.gamma(k)

    def variance(self, mu, params):
        return mu**2

    def dispersion(self, params):
        return 1 / params["k"]


class InverseGaussian(_PositiveY, Family):
    r"""Shape λ, mean μ: :math:`p(y) = \sqrt{\lambda/(2\pi y^3)}\, e^{-\lambda (y-\mu)^2/(2\mu^2 y)}`."""

    name, title = "inverse-gaussian", "Inverse Gaussian"
    statsmodels = "sm.families.InverseGaussian()"
    notation = "IG(μ, λ)"
    params = (Param("lambda", _lam, "shape"),)
    mean_domain = _positive
    canonical_link = "inverse-squared"

    def density(self, y, mu, params):
        lam = params["lambda"]
        return sp.sqrt(lam / (2 * sp.pi * y**3)) * sp.exp(-lam * (y - mu) ** 2 / (2 * mu**2 * y))

    def variance(self, mu, params):
        return mu**3

    def dispersion(self, params):
        return 1 / params["lambda"]


class NegativeBinomial(_Counts, Family):
    r"""Over-dispersed counts (NB2), Var = μ + αμ²: :math:`p(y) = \frac{\Gamma(y+1/\alpha)}{y!\,\Gamma(1/\alpha)}
    \left(\frac{1}{1+\alpha\mu}\right)^{1/\alpha} \left(\frac{\alpha\mu}{1+\alpha\mu}\right)^{y}`."""

    name, title = "negative-binomial", "Negative binomial"
    statsmodels = "sm.families.NegativeBinomial(alpha=α)"
    notation = "NB(μ, α)"
    params = (Param("alpha", _alpha, "dispersion"),)
    canonical_link = None  # log(αμ/(1+αμ)) is not among the links; log is the usual choice
    natural_link = "log"

    def density(self, y, mu, params):
        a = params["alpha"]
        return (sp.gamma(y + 1 / a) / (sp.factorial(y) * sp.gamma(1 / a))
                * (1 / (1 + a * mu)) ** (1 / a) * (a * mu / (1 + a * mu)) ** y)

    def variance(self, mu, params):
        return mu + params["alpha"] * mu**2

    def dispersion(self, params):
        return sp.Integer(1)


class Beta(Family):
    r"""A proportion with mean μ and precision φ: :math:`p(y) = \frac{y^{\mu\phi-1}(1-y)^{(1-\mu)\phi-1}}{B(\mu\phi, (1-\mu)\phi)}`."""

    name, title = "beta", "Beta"
    notation = "Beta(mean μ, precision φ)"
    params = (Param("phi", _phi, "precision"),)
    support = sp.Interval.open(0, 1)
    mean_domain = sp.Interval.open(0, 1)
    canonical_link = None
    natural_link = "logit"

    def density(self, y, mu, params):
        f = params["phi"]
        return y ** (mu * f - 1) * (1 - y) ** ((1 - mu) * f - 1) * sp.gamma(f) / (sp.gamma(mu * f) * sp.gamma((1 - mu) * f))


class StudentT(Family):
    r"""Heavy-tailed noise, ν degrees of freedom, scale s: :math:`p(y) = \frac{\Gamma(\frac{\nu+1}{2})}{\Gamma(\frac{\nu}{2})\sqrt{\nu\pi}\, s}\left(1 + \frac{(y-\mu)^2}{\nu s^2}\right)^{-\frac{\nu+1}{2}}`."""

    name, title = "student-t", "Student t"
    notation = "t_ν(μ, s)"
    params = (Param("nu", _nu, "degrees of freedom"), Param("s", _s, "scale"))
    canonical_link = None
    natural_link = "identity"

    def density(self, y, mu, params):
        nu, s = params["nu"], params["s"]
        return (sp.gamma((nu + 1) / 2) / (sp.gamma(nu / 2) * sp.sqrt(nu * sp.pi) * s)
                * (1 + (y - mu) ** 2 / (nu * s**2)) ** (-(nu + 1) / 2))


class LogNormal(_PositiveY, Family):
    r"""log y ~ N(μ, σ²): :math:`p(y) = \frac{1}{y\sigma\sqrt{2\pi}} e^{-(\log y - \mu)^2/(2\sigma^2)}`; μ is the mean of log y."""

    name, title = "log-normal", "Log-normal"
    notation = "LogNormal(μ, σ²) (μ: mean of log y)"
    params = (Param("sigma", _sigma, "standard deviation of log y"),)
    mean_domain = sp.S.Reals
    canonical_link = None
    natural_link = "identity"

    def density(self, y, mu, params):
        sigma = params["sigma"]
        return sp.exp(-(sp.log(y) - mu) ** 2 / (2 * sigma**2)) / (y * sigma * sp.sqrt(2 * sp.pi))


class Geometric(_Counts, Family):
    r"""Failures before the first success, mean μ: :math:`p(y) = \frac{1}{1+\mu}\left(\frac{\mu}{1+\mu}\right)^y`."""

    name, title = "geometric", "Geometric"
    notation = "Geometric(mean μ)"
    canonical_link = None
    natural_link = "log"

    def density(self, y, mu, params):
        return (mu / (1 + mu)) ** y / (1 + mu)

    def variance(self, mu, params):
        return mu + mu**2

    def dispersion(self, params):
        return sp.Integer(1)


class Weibull(_PositiveY, Family):
    r"""Shape k known, scale μ: :math:`p(y) = \frac{k}{\mu}\left(\frac{y}{\mu}\right)^{k-1} e^{-(y/\mu)^k}`."""

    name, title = "weibull", "Weibull"
    notation = "Weibull(shape k, scale μ)"
    params = (Param("k", _k_shape, "shape"),)
    mean_domain = _positive
    canonical_link = None
    natural_link = "log"

    def density(self, y, mu, params):
        k = params["k"]
        return k / mu * (y / mu) ** (k - 1) * sp.exp(-((y / mu) ** k))


_FAMILIES = [Gaussian, Bernoulli, Binomial, Categorical, Poisson, Exponential, Gamma, InverseGaussian,
             NegativeBinomial, Beta, Laplace, StudentT, LogNormal, Geometric, Weibull]
FAMILIES: dict[str, Family] = {cls.name: cls() for cls in _FAMILIES}


def get_family(name: str) -> Family:
    return FAMILIES[name]
