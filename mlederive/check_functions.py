"""The check function of quantile regression, kept by its textbook name so that a derivation reads like Koenker's.

ρ_τ(u) = u·(τ − 1[u < 0]) = max(τu, (τ − 1)u) is the asymmetric absolute value whose expected value is minimised by
the τ-quantile. As every named function, it is written out (``elementary``: ½(|u| + (2τ − 1)u)) before the verifier
proves anything about it, and printed by name everywhere else: ρ_τ(yᵢ − ηᵢ) stays one term, so dropping the θ-free
terms cannot split it into a part in y alone and a part in η (which would leave a loss equal to the pinball loss only
up to a θ-free term, and no longer the pinball loss).
"""
from __future__ import annotations

import sympy as sp

from . import symbolic as S


class _Subscripted(S.NamedFunction):
    """A function of (level, u) printed name_level(u): ψ_δ(u)."""

    nargs = 2

    def _eval_is_real(self):
        return True if all(a.is_real for a in self.args) else None

    def _eval_is_positive(self):
        return None

    def _eval_is_extended_negative(self):
        return None

    def _derivative(self, argindex):
        t = sp.Dummy("t", real=True)
        args = list(self.args)
        at = args[argindex - 1]
        args[argindex - 1] = t
        return sp.diff(type(self)(*args).elementary(), t).subs(t, at)

    def _latex(self, printer, exp=None):
        level, u = self.args
        tex = r"%s_{%s}\left(%s\right)" % (self.latex_name, printer._print(level), printer._print(u))
        return tex if exp is None else r"%s^{%s}" % (tex, exp)

    def _sympystr(self, printer):
        return "%s(%s, %s)" % ((self.ascii_name,) + tuple(printer._print(a) for a in self.args))

    def _pretty(self, printer):
        from sympy.printing.pretty.stringpict import prettyForm

        level, u = self.args
        name = prettyForm("%s_%s" % (self.unicode_name, printer._print(level)))
        return prettyForm(*prettyForm(*printer._print(u).parens()).left(name))

    def inline(self, printer) -> str:
        level, u = self.args
        return "%s_%s(%s)" % (self.unicode_name, printer._print(level), printer._print(u))


class pinball(_Subscripted):
    r""":math:`\rho_\tau(u) = \tfrac12(|u| + (2\tau - 1)u)`, written ``pinball(tau, u)``."""

    unicode_name, latex_name, ascii_name = "ρ", r"\rho", "pinball"
    #: its value for lambdify (mpmath or floats)
    _imp_ = staticmethod(lambda tau, u: (abs(u) + (2 * tau - 1) * u) / 2)

    def elementary(self):
        tau, u = self.args
        return (sp.Abs(u) + (2 * tau - 1) * u) / 2

    def fdiff(self, argindex=1):
        tau, u = self.args
        if argindex == 1:
            return u
        return (sp.sign(u) + 2 * tau - 1) / 2  # τ − 1[u < 0], a subgradient at the kink

    def _eval_is_extended_negative(self):
        return False if self.args[0].is_positive and (1 - self.args[0]).is_positive and self.args[1].is_real else None


class huber(_Subscripted):
    r"""Huber's function :math:`\rho_\delta(u) = u^2/2` for :math:`|u| \le \delta`, :math:`\delta(|u| - \delta/2)`
    beyond — written ``huber(delta, u)`` and out as :math:`m(|u| - m/2)` with :math:`m = \min(|u|, \delta)` (one
    expression for both pieces: a quadratic centre, linear tails, joined with a continuous slope at ±δ)."""

    unicode_name, latex_name, ascii_name = "ρ", r"\rho", "huber"
    _imp_ = staticmethod(lambda delta, u: min(abs(u), delta) * (abs(u) - min(abs(u), delta) / 2))

    def elementary(self):
        delta, u = self.args
        m = sp.Min(sp.Abs(u), delta)
        return m * (sp.Abs(u) - m / 2)

    def fdiff(self, argindex=1):
        delta, u = self.args
        if argindex == 1:  # ∂/∂δ: 0 in the centre, |u| − δ in the tails
            return sp.Max(sp.Abs(u) - delta, 0)
        return huber_psi(delta, u)  # ψ_δ(u) = u clipped to [−δ, δ]

    def _eval_is_extended_negative(self):
        return False if self.args[0].is_positive and self.args[1].is_real else None


class huber_psi(_Subscripted):
    r"""Huber's ψ_δ(u) = ρ_δ′(u): u clipped to [−δ, δ], ``huber_psi(delta, u)``."""

    unicode_name, latex_name, ascii_name = "ψ", r"\psi", "huber_psi"
    _imp_ = staticmethod(lambda delta, u: max(min(u, delta), -delta))

    def elementary(self):
        delta, u = self.args
        return sp.Max(sp.Min(u, delta), -delta)

    def fdiff(self, argindex=1):
        delta, u = self.args
        if argindex == 2:
            return huber_inside(delta, u)  # 1 inside ±δ, 0 beyond (a.e.)
        return self._derivative(argindex)


class huber_inside(_Subscripted):
    r""":math:`1[|u| < \delta]`, ψ_δ's derivative almost everywhere: 1 in the quadratic centre, 0 in the linear tails,
    ``huber_inside(delta, u)``."""

    unicode_name, latex_name, ascii_name = "1", r"\mathbb{1}", "huber_inside"
    _imp_ = staticmethod(lambda delta, u: 1 if abs(u) < delta else 0)

    def elementary(self):
        delta, u = self.args
        return sp.Heaviside(delta - sp.Abs(u), 0)

    def fdiff(self, argindex=1):
        return self._derivative(argindex)

    def _latex(self, printer, exp=None):
        delta, u = self.args
        tex = r"\mathbb{1}\left[\left|%s\right| < %s\right]" % (printer._print(u), printer._print(delta))
        return tex if exp is None else r"%s^{%s}" % (tex, exp)

    def _pretty(self, printer):
        from sympy.printing.pretty.stringpict import prettyForm

        delta, u = self.args
        inner = printer._print(sp.StrictLessThan(sp.Abs(u), delta, evaluate=False))
        return prettyForm(*prettyForm(*inner.parens("[", "]")).left("1"))

    def inline(self, printer) -> str:
        delta, u = self.args
        return "1[|%s| < %s]" % (printer._print(u), printer._print(delta))
