"""Link functions: g maps the mean μ to the linear predictor η = g(μ).

A link is a small declarative class, in the manner of statsmodels' links:
``__call__`` is g, ``inverse`` is g⁻¹, and the derivatives have generic
fallbacks in the base class that a subclass overrides only where a closed form
reads better. ``mean_domain`` is the set g is defined on and ``inverse_range``
is where g⁻¹ sends the whole real line; comparing the latter with a family's
mean domain is how a family decides whether a pairing makes sense.
"""
from __future__ import annotations

import sympy as sp

from .symbolic import Phi, sigmoid


class Link:
    name: str = ""
    #: what it is called, in words ("logit link"); its formula μ = g⁻¹(η) is printed from :meth:`inverse`
    title: str = ""
    #: a prose template said after the formula, or "" ("$Φ$ the standard normal CDF")
    note: str = ""
    #: the set of μ on which g is defined
    mean_domain: sp.Set = sp.S.Reals
    #: g⁻¹(ℝ): every mean the link can produce
    inverse_range: sp.Set = sp.S.Reals
    #: the η on which g⁻¹ is defined (ℝ for most; η > 0 for inverse-squared)
    eta_domain: sp.Set = sp.S.Reals
    #: True for links acting on a vector of K logits (softmax)
    one_hot: bool = False
    #: the same link's class in ``statsmodels.genmod.families.links``, or None where statsmodels has none
    statsmodels: str | None = None

    def __call__(self, mu: sp.Expr) -> sp.Expr:
        raise NotImplementedError

    def inverse(self, eta: sp.Expr) -> sp.Expr:
        raise NotImplementedError

    def deriv(self, mu: sp.Expr) -> sp.Expr:
        """g'(μ)."""
        m = sp.Dummy("mu", real=True)
        return sp.diff(self(m), m).subs(m, mu)

    def inverse_deriv(self, eta: sp.Expr) -> sp.Expr:
        """dμ/dη as a function of η."""
        e = sp.Dummy("eta", real=True)
        return sp.diff(self.inverse(e), e).subs(e, eta)

    def inverse_deriv_in_mu(self, mu: sp.Expr) -> sp.Expr:
        """dμ/dη written in μ, the form a chain-rule display wants: 1/g'(μ)."""
        return sp.factor(sp.cancel(1 / self.deriv(mu)))

    def chain_factor(self, mu: sp.Expr, eta: sp.Expr) -> sp.Expr:
        """dμ/dη as a textbook writes it in the chain rule: in μ where that is a plain expression
        (μ(1 − μ) for logit, μ for log), in η where the μ form needs g's own inverse functions
        (probit: φ(η), not φ(Φ⁻¹(μ)); cauchit: 1/(π(1 + η²)))."""
        in_mu = self.inverse_deriv_in_mu(mu)
        plain = all(f.func in (sp.exp, sp.log) for f in in_mu.atoms(sp.Function))
        return in_mu if plain else self.inverse_deriv(eta)

    def __repr__(self) -> str:
        return "%s()" % type(self).__name__


class Power(Link):
    """g(μ) = μᵖ and g⁻¹(η) = η^(1/p), as statsmodels' ``Power``: identity (p = 1), inverse (−1),
    inverse-squared (−2) and sqrt (½) are fixed powers of this one class.

    Where g is one-to-one sets its domains: the whole line for an odd integer power (without 0
    when p < 0), else μ ≥ 0 (μ > 0 when p < 0), and η = g(μ) lies in the same set.
    """

    p: sp.Rational = sp.Integer(1)

    def __init__(self, p=None):
        if p is not None:
            self.p = sp.nsimplify(p)
            self.name, self.title = "power(%s)" % self.p, "power link"
        p = self.p
        if p == 0:
            raise ValueError("a power link needs p ≠ 0 (p = 0 is the log link)")
        if p.is_integer and p.is_odd:
            domain = sp.S.Reals if p > 0 else sp.Union(sp.Interval.open(-sp.oo, 0), sp.Interval.open(0, sp.oo))
        else:
            domain = sp.Interval(0, sp.oo) if p > 0 else sp.Interval.open(0, sp.oo)
        self.mean_domain = self.inverse_range = self.eta_domain = domain

    def __call__(self, mu):
        return mu**self.p

    def inverse(self, eta):
        return eta ** (1 / self.p)

    def inverse_deriv_in_mu(self, mu):
        return mu ** (1 - self.p) / self.p  # 1/g′(μ) = 1/(p·μ^(p−1))

    def __repr__(self) -> str:
        return "%s()" % type(self).__name__ if type(self) is not Power else "Power(%s)" % self.p


class Identity(Power):
    name, title = "identity", "identity link"
    statsmodels = "Identity"
    p = sp.Integer(1)


class Log(Link):
    name, title = "log", "log link"
    statsmodels = "Log"
    mean_domain = sp.Interval.open(0, sp.oo)
    inverse_range = sp.Interval.open(0, sp.oo)

    def __call__(self, mu):
        return sp.log(mu)

    def inverse(self, eta):
        return sp.exp(eta)

    def inverse_deriv_in_mu(self, mu):
        return mu


class Logit(Link):
    name, title = "logit", "logit link"
    statsmodels = "Logit"
    mean_domain = sp.Interval.open(0, 1)
    inverse_range = sp.Interval.open(0, 1)

    def __call__(self, mu):
        return sp.log(mu / (1 - mu))

    def inverse(self, eta):
        return sigmoid(eta)

    def inverse_deriv_in_mu(self, mu):
        return mu * (1 - mu)


class Probit(Link):
    name, title = "probit", "probit link"
    statsmodels = "Probit"
    note = "$Φ$ the standard normal CDF"
    mean_domain = sp.Interval.open(0, 1)
    inverse_range = sp.Interval.open(0, 1)

    def __call__(self, mu):
        return sp.sqrt(2) * sp.erfinv(2 * mu - 1)

    def inverse(self, eta):
        return Phi(eta)


class CLogLog(Link):
    name, title = "cloglog", "complementary log-log link"
    statsmodels = "CLogLog"
    mean_domain = sp.Interval.open(0, 1)
    inverse_range = sp.Interval.open(0, 1)

    def __call__(self, mu):
        return sp.log(-sp.log(1 - mu))

    def inverse(self, eta):
        return 1 - sp.exp(-sp.exp(eta))


class LogLog(Link):
    name, title = "loglog", "log-log link"
    statsmodels = "LogLog"
    mean_domain = sp.Interval.open(0, 1)
    inverse_range = sp.Interval.open(0, 1)

    def __call__(self, mu):
        return -sp.log(-sp.log(mu))

    def inverse(self, eta):
        return sp.exp(-sp.exp(-eta))


class Cauchit(Link):
    name, title = "cauchit", "cauchit link"
    statsmodels = "Cauchy"
    note = "the Cauchy CDF"
    mean_domain = sp.Interval.open(0, 1)
    inverse_range = sp.Interval.open(0, 1)

    def __call__(self, mu):
        return sp.tan(sp.pi * (mu - sp.Rational(1, 2)))

    def inverse(self, eta):
        return sp.Rational(1, 2) + sp.atan(eta) / sp.pi


class Inverse(Power):
    name, title = "inverse", "inverse link"
    statsmodels = "InversePower"
    p = sp.Integer(-1)


class InverseSquared(Power):
    name, title = "inverse-squared", "inverse-squared link"
    statsmodels = "InverseSquared"
    p = sp.Integer(-2)


class Sqrt(Power):
    name, title = "sqrt", "square-root link"
    statsmodels = "Sqrt"
    note = "for $η ≥ 0$, where $g⁻¹$ inverts $g$"
    p = sp.Rational(1, 2)


class Softplus(Link):
    name, title = "softplus", "softplus link"
    mean_domain = sp.Interval.open(0, sp.oo)
    inverse_range = sp.Interval.open(0, sp.oo)

    def __call__(self, mu):
        return sp.log(sp.exp(mu) - 1)

    def inverse(self, eta):
        return sp.log(1 + sp.exp(eta))


class Softmax(Link):
    """The multinomial logit: μ_k = exp(η_k) / Σ_j exp(η_j) on a vector of K logits.

    ``__call__`` and ``inverse`` act on one component given the whole vector,
    which is how the categorical family uses them.
    """

    name, title = "softmax", "softmax link"
    mean_domain = sp.Interval.open(0, 1)
    inverse_range = sp.Interval.open(0, 1)
    one_hot = True

    def __call__(self, mu):  # g(μ)_k = log μ_k up to the additive constant the softmax ignores
        return sp.log(mu)

    def inverse(self, eta, components=None):
        """μ_k for the component ``eta`` of the logit vector ``components``."""
        if components is None:
            raise TypeError("softmax needs the whole logit vector: inverse(eta_k, components)")
        return sp.exp(eta) / sp.Add(*[sp.exp(c) for c in components])


_LINKS = [Identity, Log, Logit, Probit, CLogLog, LogLog, Cauchit, Inverse, InverseSquared, Sqrt, Softplus, Softmax]
LINKS: dict[str, Link] = {cls.name: cls() for cls in _LINKS}


def inverse_residuals(link: Link, mus: list, etas: list) -> list:
    """Expressions that vanish exactly when ``mus`` is g⁻¹ of ``etas``.

    Built from g alone, so a wrong claimed inverse cannot vouch for itself. For
    softmax, g is the log-ratio to the first class plus the simplex condition.
    """
    if link.one_hot:
        out = [sp.Add(*mus) - 1]
        out += [sp.log(m / mus[0]) - (e - etas[0]) for m, e in zip(mus[1:], etas[1:])]
        return out
    return [link(m) - e for m, e in zip(mus, etas)]
