"""Families with no exponential-dispersion form in their mean (Laplace, beta, Student-t, log-normal, Weibull): no
variance function V(μ) gives their gradient, so it is differentiated directly."""
from __future__ import annotations

import sympy as sp

from .. import symbolic as S
from ..check_functions import huber, huber_inside, pinball
from ..libraries import StatsmodelsFamily
from ..special import I0, I1, HuberNormaliser, TweedieNormaliser
from .base import Counts, Family, Param, PositiveY, positive

_sigma = sp.Symbol("sigma", positive=True)
_b = sp.Symbol("b", positive=True)
_k_shape = sp.Symbol("k", positive=True)
_phi = sp.Symbol("phi", positive=True)
_nu = sp.Symbol("nu", positive=True)
_s = sp.Symbol("s", positive=True)
_pi = sp.Symbol("pi", positive=True)
_gamma = sp.Symbol("gamma", positive=True)
_tau = sp.Symbol("tau", positive=True)
_delta = sp.Symbol("delta", positive=True)
_power = sp.Symbol("p", positive=True)
_kappa = sp.Symbol("kappa", positive=True)


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

    def textbook_density(self, y, mu, params):
        b = params["b"]
        return S.leading(S.reciprocal(S.held_product(2, b)), sp.exp(-sp.Abs(y - mu) / b))

    def moments(self, y, mu, params):
        b = params["b"]  # δ(y − μ) has expectation p(μ) = 1/(2b); |y − μ| is exponential with mean b
        return ((sp.DiracDelta(y - mu), 1 / (2 * b)), (sp.sign(y - mu), sp.S.Zero), (sp.Abs(y - mu), b))

    def moment_centre(self, mu, params):
        return mu


class AsymmetricLaplace(Family):
    r"""The law behind quantile regression: :math:`p(y) = \frac{\tau(1-\tau)}{\sigma}
    e^{-\rho_\tau((y-\mu)/\sigma)}` with the check function :math:`\rho_\tau(u) = u(\tau - 1[u < 0]) =
    \tfrac12(|u| + (2\tau - 1)u)`; μ is its τ-quantile (P(y < μ) = τ)."""

    name, title = "asymmetric-laplace", "Asymmetric Laplace"
    notation, notation_note = "ALD_τ(μ, σ)", "with $μ_i$ its $τ$-quantile and scale $σ$"
    params = (Param("tau", _tau, "quantile level", domain=sp.Interval.open(0, 1)), Param("sigma", _sigma, "scale"))
    in_exams = False  # beyond a first course: an exam draws it when --recipes names it
    canonical_link = None
    natural_link = "identity"

    def density(self, y, mu, params):
        tau, sigma = params["tau"], params["sigma"]
        return tau * (1 - tau) / sigma * sp.exp(-pinball(tau, y - mu) / sigma)

    def textbook_density(self, y, mu, params):
        tau, sigma = params["tau"], params["sigma"]
        return S.leading(S.held_product(tau, 1 - tau, S.reciprocal(sigma)), sp.exp(-pinball(tau, y - mu) / sigma))

    def expanded_log_density(self, y, eta, link, params):
        """log τ + log(1 − τ) − log σ − ρ_τ(y − μ)/σ: the check function stays one term."""
        tau, sigma = params["tau"], params["sigma"]
        return sp.log(tau) + sp.log(1 - tau) - sp.log(sigma) - pinball(tau, y - link.inverse(eta)) / sigma

    def moments(self, y, mu, params):
        # δ(y − μ) has expectation p(μ) = τ(1 − τ)/σ; sgn(y − μ) is +1 with probability 1 − τ, −1 with τ
        tau, sigma = params["tau"], params["sigma"]
        return ((sp.DiracDelta(y - mu), tau * (1 - tau) / sigma), (sp.sign(y - mu), 1 - 2 * tau))

    def moment_centre(self, mu, params):
        return mu


class Huber(Family):
    r"""Huber's least favourable law: a Gaussian centre and Laplace tails joined at ±δ,
    :math:`p(y) = e^{-\rho_\delta(y - \mu)}/Z(\delta)`, with Huber's function ρ_δ and a normaliser Z(δ) that depends on
    the threshold alone."""

    name, title = "huber", "Huber"
    notation, notation_note = "Huber_δ(μ)", "with location $μ_i$ and threshold $δ$ (Gaussian within $δ$ of $μ_i$, Laplace beyond)"
    params = (Param("delta", _delta, "threshold"),)
    in_exams = False  # beyond a first course: an exam draws it when --recipes names it
    canonical_link = None
    natural_link = "identity"

    def density(self, y, mu, params):
        delta = params["delta"]
        return sp.exp(-huber(delta, y - mu)) / HuberNormaliser(delta)

    def textbook_density(self, y, mu, params):
        delta = params["delta"]
        return S.leading(S.reciprocal(HuberNormaliser(delta)), sp.exp(-huber(delta, y - mu)))

    def expanded_log_density(self, y, eta, link, params):
        """−ρ_δ(y − μ) − log Z(δ): Huber's function stays one term."""
        delta = params["delta"]
        return -huber(delta, y - link.inverse(eta)) - sp.log(HuberNormaliser(delta))

    def moments(self, y, mu, params):
        # the curvature is 1 inside ±δ and 0 outside: E[1[|y − μ| < δ]] = √(2π)(2Φ(δ) − 1)/Z(δ); odd terms vanish
        delta = params["delta"]
        return ((huber_inside(delta, y - mu), sp.sqrt(2 * sp.pi) * (2 * S.Phi(delta) - 1) / HuberNormaliser(delta)),)

    def moment_centre(self, mu, params):
        return mu

    def moment_breaks(self, mu, params):
        return (mu - params["delta"], mu + params["delta"])


class Tweedie(Family):
    r"""The compound Poisson–gamma law of insurance claims and rainfall (power 1 < p < 2): a Poisson number of gamma
    amounts, so an exact 0 with positive probability and a continuous y > 0 otherwise;
    :math:`p(y) = a(y, \phi)\exp\big((y\mu^{1-p}/(1-p) - \mu^{2-p}/(2-p))/\phi\big)`, Var(y) = φμ^p."""

    name, title = "tweedie", "Tweedie"
    # statsmodels' Tweedie takes the log link and the power links (identity, sqrt, 1/μ, 1/μ²)
    statsmodels = StatsmodelsFamily("Tweedie", ("log", "identity", "sqrt", "inverse", "inverse-squared"),
                                    family_keywords={"var_power": lambda p: p["p"]},
                                    loglike_keywords={"scale": lambda p: p["phi"]})
    notation, notation_note = "Tweedie_p(μ, φ)", ("with power $p$ and dispersion $φ$; $a(y_i, φ)$ is the series that "
                                             "normalises it, with no closed form and no $μ_i$ in it")
    params = (Param("p", _power, "power", domain=sp.Interval.open(1, 2)), Param("phi", _phi, "dispersion"))
    support = sp.Interval(0, sp.oo)
    mean_domain = sp.Interval.open(0, sp.oo)
    in_exams = False  # beyond a first course: an exam draws it when --recipes names it
    canonical_link = None  # its canonical link is the power link μ^(1−p), which the registry has not
    natural_link = "log"

    def density(self, y, mu, params):
        p, phi = params["p"], params["phi"]
        return TweedieNormaliser(y, phi, p) * sp.exp((y * mu ** (1 - p) / (1 - p) - mu ** (2 - p) / (2 - p)) / phi)

    def textbook_density(self, y, mu, params):
        """a(y, φ)·exp((1/φ)(y·μ^(1−p)/(1 − p) − μ^(2−p)/(2 − p))): the series first, as the literature writes it."""
        p, phi = params["p"], params["phi"]
        inside = sp.Mul(S.reciprocal(phi), y * mu ** (1 - p) / (1 - p) - mu ** (2 - p) / (2 - p), evaluate=False)
        return S.leading(TweedieNormaliser(y, phi, p), sp.exp(inside, evaluate=False))

    def expanded_log_density(self, y, eta, link, params):
        """log a(y, φ) + (y·μ^(1−p)/(1 − p) − μ^(2−p)/(2 − p))/φ: the series stays one θ-free term."""
        p, phi = params["p"], params["phi"]
        mu = link.inverse(eta)
        return sp.log(TweedieNormaliser(y, phi, p)) + y * mu ** (1 - p) / ((1 - p) * phi) \
            - mu ** (2 - p) / ((2 - p) * phi)

    def variance(self, mu, params):
        return mu ** params["p"]

    def dispersion(self, params):
        return params["phi"]

    def moments(self, y, mu, params):
        return ((y, mu),)

    def sample_y(self, rng, wide: bool = False) -> float:
        return 0.0 if rng.random() < 0.2 else rng.uniform(0.1, 5.0)


class Beta(Family):
    r"""A proportion with mean μ and precision φ: :math:`p(y) = \frac{y^{\mu\phi-1}(1-y)^{(1-\mu)\phi-1}}{B(\mu\phi, (1-\mu)\phi)}`."""

    name, title = "beta", "Beta"
    notation, notation_note = "Beta(μ, φ)", "with mean $μ_i$ and precision $φ$"
    params = (Param("phi", _phi, "precision"),)
    support = sp.Interval.open(0, 1)
    mean_domain = sp.Interval.open(0, 1)
    canonical_link = None
    natural_link = "logit"

    def density(self, y, mu, params):
        f = params["phi"]
        return y ** (mu * f - 1) * (1 - y) ** ((1 - mu) * f - 1) * sp.gamma(f) / (sp.gamma(mu * f) * sp.gamma((1 - mu) * f))

    def textbook_density(self, y, mu, params):
        f = params["phi"]
        return S.leading(S.reciprocal(sp.beta(mu * f, (1 - mu) * f)),
                         S.held_product(y ** (mu * f - 1), (1 - y) ** ((1 - mu) * f - 1)))

    moments_integrate = False  # ∫ log y · y^(a−1)(1−y)^(b−1) dy at symbolic a, b: SymPy gives no closed form

    def moments(self, y, mu, params):
        f = params["phi"]  # the sufficient statistics of the beta: E[log y] = ψ(a) − ψ(a + b), a = μφ, b = (1 − μ)φ
        return ((sp.log(y), sp.digamma(mu * f) - sp.digamma(f)), (sp.log(1 - y), sp.digamma((1 - mu) * f) - sp.digamma(f)))


class StudentT(Family):
    r"""Heavy-tailed noise, ν degrees of freedom, scale s: :math:`p(y) = \frac{\Gamma(\frac{\nu+1}{2})}{\Gamma(\frac{\nu}{2})\sqrt{\nu\pi}\, s}\left(1 + \frac{(y-\mu)^2}{\nu s^2}\right)^{-\frac{\nu+1}{2}}`."""

    name, title = "student-t", "Student t"
    notation, notation_note = "t_ν(μ, s)", "with $ν$ degrees of freedom and scale $s$"
    params = (Param("nu", _nu, "degrees of freedom"), Param("s", _s, "scale"))
    canonical_link = None
    natural_link = "identity"

    def density(self, y, mu, params):
        nu, s = params["nu"], params["s"]
        return (sp.gamma((nu + 1) / 2) / (sp.gamma(nu / 2) * sp.sqrt(nu * sp.pi) * s)
                * (1 + (y - mu) ** 2 / (nu * s**2)) ** (-(nu + 1) / 2))

    def textbook_density(self, y, mu, params):
        nu, s = params["nu"], params["s"]
        half = S.held_product(nu + 1, S.reciprocal(2))
        constant = S.held_product(sp.gamma(half), S.reciprocal(
            S.held_product(sp.gamma(nu / 2), S.held(S.held_product(nu, sp.pi), sp.S.Half), s)))
        return S.leading(constant, S.held(1 + (y - mu) ** 2 / (nu * s**2), S.held_product(-1, half)))

    # ∫ (νs² + r²)^(−m) against the t density at symbolic ν: SymPy's answer is a Meijer G function it cannot rewrite to
    # the stated value
    moments_integrate = False

    def moments(self, y, mu, params):
        # with D = νs² + (y − μ)²: E[(1 + (y − μ)²/(νs²))^(−m)] = Π_{j<m} (ν + 2j)/(ν + 1 + 2j); odd ones vanish
        nu, s = params["nu"], params["s"]
        d = nu * s**2 + (y - mu) ** 2
        return ((1 / d, 1 / ((nu + 1) * s**2)), (d ** -2, (nu + 2) / (nu * (nu + 1) * (nu + 3) * s**4)),
                ((y - mu) / d, sp.S.Zero), ((y - mu) / d**2, sp.S.Zero))

    def moment_centre(self, mu, params):
        return mu


class Cauchy(Family):
    r"""Noise so heavy-tailed it has no mean: location μ, scale γ, :math:`p(y) = \frac{1}{\pi\gamma}\left(1 +
    \left(\frac{y-\mu}{\gamma}\right)^2\right)^{-1}` (the Student t with ν = 1)."""

    name, title = "cauchy", "Cauchy"
    notation, notation_note = "Cauchy(μ, γ)", "with location $μ_i$ (its median: the Cauchy has no mean) and scale $γ$"
    params = (Param("gamma", _gamma, "scale"),)
    moments_integrate = False  # ∫ D^(−m)·p dy at symbolic γ: SymPy takes seconds and gives no closed form here
    in_exams = False  # beyond a first course: an exam draws it when --recipes names it
    canonical_link = None
    natural_link = "identity"

    def density(self, y, mu, params):
        g = params["gamma"]
        return 1 / (sp.pi * g * (1 + ((y - mu) / g) ** 2))

    def textbook_density(self, y, mu, params):
        g = params["gamma"]
        return S.leading(S.reciprocal(S.held_product(sp.pi, g)), S.held(1 + ((y - mu) / g) ** 2, -1))

    def moments(self, y, mu, params):
        # with D = γ² + (y − μ)² and y − μ = γ·tan θ, θ uniform on (−π/2, π/2): E[D^(−m)] = γ^(−2m)·E[cos^(2m) θ]
        g = params["gamma"]
        d = g**2 + (y - mu) ** 2
        return ((1 / d, 1 / (2 * g**2)), (d ** -2, sp.Rational(3, 8) / g**4), ((y - mu) / d, sp.S.Zero),
                ((y - mu) / d**2, sp.S.Zero))

    def moment_centre(self, mu, params):
        return mu


class VonMises(Family):
    r"""An angle y in radians around a mean direction μ, concentration κ: :math:`p(y) = \frac{e^{\kappa\cos(y -
    \mu)}}{2\pi I_0(\kappa)}` on :math:`[-\pi, \pi]` (the circle's Gaussian; I₀ is the modified Bessel function)."""

    name, title = "von-mises", "von Mises"
    notation, notation_note = "VM(μ, κ)", "an angle in radians, with mean direction $μ_i$ and concentration $κ$"
    params = (Param("kappa", _kappa, "concentration"),)
    support = sp.Interval(-sp.pi, sp.pi)
    in_exams = False  # beyond a first course: an exam draws it when --recipes names it
    canonical_link = None
    natural_link = "identity"

    def density(self, y, mu, params):
        k = params["kappa"]
        return sp.exp(k * sp.cos(y - mu)) / (2 * sp.pi * I0(k))

    def textbook_density(self, y, mu, params):
        k = params["kappa"]
        return S.leading(S.reciprocal(S.held_product(2, sp.pi, I0(k))), sp.exp(k * sp.cos(y - mu)))

    moments_integrate = False  # ∫ cos(t)·e^(κ cos t) dt: SymPy has no closed form for it (the quadrature decides)

    def moments(self, y, mu, params):
        # E[cos(y − μ)] = I₁(κ)/I₀(κ) (the mean resultant length), E[sin(y − μ)] = 0 by symmetry
        k = params["kappa"]
        return ((sp.cos(y - mu), I1(k) / I0(k)), (sp.sin(y - mu), sp.S.Zero))

    def moment_centre(self, mu, params):
        return mu


class LogNormal(PositiveY, Family):
    r"""log y ~ N(μ, σ²): :math:`p(y) = \frac{1}{y\sigma\sqrt{2\pi}} e^{-(\log y - \mu)^2/(2\sigma^2)}`; μ is the mean of log y."""

    name, title = "log-normal", "Log-normal"
    notation, notation_note = "LogNormal(μ, σ²)", "where $μ_i$ is the mean of $log y_i$"
    params = (Param("sigma", _sigma, "standard deviation of log y"),)
    mean_domain = sp.S.Reals
    canonical_link = None
    natural_link = "identity"

    def density(self, y, mu, params):
        sigma = params["sigma"]
        return sp.exp(-(sp.log(y) - mu) ** 2 / (2 * sigma**2)) / (y * sigma * sp.sqrt(2 * sp.pi))

    def textbook_density(self, y, mu, params):
        sigma = params["sigma"]
        return S.leading(S.reciprocal(S.held_product(y, sigma, S.held(S.held_product(2, sp.pi), sp.S.Half))),
                         sp.exp(-(sp.log(y) - mu) ** 2 / (2 * sigma**2)))


class Weibull(PositiveY, Family):
    r"""Shape k known, scale μ: :math:`p(y) = \frac{k}{\mu}\left(\frac{y}{\mu}\right)^{k-1} e^{-(y/\mu)^k}`."""

    name, title = "weibull", "Weibull"
    notation, notation_note = "Weibull(k, μ)", "with shape $k$ and scale $μ_i$"
    params = (Param("k", _k_shape, "shape"),)
    mean_domain = positive
    canonical_link = None
    natural_link = "log"

    def density(self, y, mu, params):
        k = params["k"]
        return k / mu * (y / mu) ** (k - 1) * sp.exp(-((y / mu) ** k))

    def textbook_density(self, y, mu, params):
        k = params["k"]
        ratio = S.held_product(y, S.reciprocal(mu))
        return S.leading(S.held_product(k, S.reciprocal(mu)),
                         S.held_product(S.held(ratio, k - 1), sp.exp(-S.held(ratio, k))))

    def moments(self, y, mu, params):
        k = params["k"]  # (y/μ)^k is a unit exponential: E[y^k] = μ^k
        return ((y**k, mu**k),)


class ZeroInflatedPoisson(Counts, Family):
    r"""A structural zero with probability π, else Poisson(λ): :math:`p(0) = \pi + (1-\pi)e^{-\lambda}`,
    :math:`p(y) = (1-\pi)\lambda^y e^{-\lambda}/y!` for y ≥ 1. Written with the indicator 1[y = 0] as
    :math:`p(0)^{1[y=0]}\,p_{+}(y)^{1 - 1[y=0]}`, which takes each case's value and whose log splits."""

    name, title = "zero-inflated-poisson", "Zero-inflated Poisson"
    notation, notation_note = "ZIP(λ, π)", "a structural zero with probability $π$, else a Poisson count with rate $λ$"
    mean_name = "lambda"
    params = (Param("pi", _pi, "probability of a structural zero", domain=sp.Interval.open(0, 1)),)
    canonical_link = None
    natural_link = "log"

    def density(self, y, lam, params):
        pi, zero = params["pi"], sp.KroneckerDelta(y, 0)
        return (pi + (1 - pi) * sp.exp(-lam)) ** zero * ((1 - pi) * lam**y * sp.exp(-lam) / sp.factorial(y)) ** (1 - zero)

    def textbook_density(self, y, lam, params):
        pi = params["pi"]
        return sp.Add(S.held_product(pi, sp.KroneckerDelta(y, 0)),
                      S.held_product(1 - pi, S.held(lam, y), sp.exp(-lam), S.reciprocal(sp.factorial(y))),
                      evaluate=False)

    def moments(self, y, lam, params):
        pi = params["pi"]
        return ((sp.KroneckerDelta(y, 0), pi + (1 - pi) * sp.exp(-lam)), (y, (1 - pi) * lam))
