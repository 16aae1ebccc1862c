"""Special functions of a normalising constant that SymPy cannot reason about: the modified Bessel functions I₀ and
I₁ of the von Mises law.

SymPy's ``besseli`` does not know that I₀(κ) > 0 for κ > 0, so ``log(e^{κ cos(y − μ)} / (2π I₀(κ)))`` cannot be split
into its terms and the derivation stops at its first log. Each function here declares what the verifier needs: it is
positive for a positive argument (the log of a product splits), real, its derivative (I₀′ = I₁), and its value at
any precision through mpmath (the sampler and the 40-digit quadratures of moments; ``_imp_`` is how ``lambdify``
finds it). Codegen prints it as the library's own (``scipy.special.i0``, ``torch.special.i0`` …).
"""
from __future__ import annotations

import mpmath
import sympy as sp


class SpecialFunction(sp.Function):
    """A positive special function of one positive argument, printed by its textbook name."""

    nargs = 1
    unicode_name = latex_name = ""

    def _eval_is_positive(self):
        return True if self.args[0].is_positive else None

    def _eval_is_real(self):
        return True if self.args[0].is_positive else None

    def _eval_is_finite(self):
        return True if self.args[0].is_positive and self.args[0].is_finite else None

    def _latex(self, printer, exp=None):
        tex = r"%s\left(%s\right)" % (self.latex_name, printer._print(self.args[0]))
        return tex if exp is None else r"%s^{%s}" % (tex, exp)

    def _sympystr(self, printer):
        return "%s(%s)" % (type(self).__name__, printer._print(self.args[0]))

    def _pretty(self, printer):
        from sympy.printing.pretty.stringpict import prettyForm

        arg = prettyForm(*printer._print(self.args[0]).parens())
        return prettyForm(*arg.left(self.unicode_name if printer._use_unicode else type(self).__name__))


class _Bessel(SpecialFunction):
    """I_order, valued by SymPy's besseli (mpmath's)."""

    def _eval_evalf(self, prec):
        return sp.besseli(self.order, self.args[0])._eval_evalf(prec)


class I0(_Bessel):
    r""":math:`I_0(\kappa)`, the modified Bessel function of the first kind, order 0: :math:`2\pi I_0(\kappa) =
    \int_{-\pi}^{\pi} e^{\kappa\cos t}\,dt`."""

    unicode_name, latex_name, order = "I₀", "I_0", 0
    _imp_ = staticmethod(lambda x: mpmath.besseli(0, x))

    def fdiff(self, argindex=1):
        return I1(self.args[0])


class I1(_Bessel):
    r""":math:`I_1(\kappa) = I_0'(\kappa)`, order 1 (positive for κ > 0)."""

    unicode_name, latex_name, order = "I₁", "I_1", 1
    _imp_ = staticmethod(lambda x: mpmath.besseli(1, x))

    def fdiff(self, argindex=1):
        x = self.args[0]
        return I0(x) - I1(x) / x




class HuberNormaliser(SpecialFunction):
    r""":math:`Z(\delta) = \int e^{-\rho_\delta(u)}\,du = \sqrt{2\pi}\,(2\Phi(\delta) - 1) + 2e^{-\delta^2/2}/\delta`,
    the normaliser of Huber's density: positive, a function of the threshold δ alone (θ-free)."""

    unicode_name, latex_name = "Z", "Z"

    def _eval_evalf(self, prec):
        d = self.args[0]
        return (sp.sqrt(2 * sp.pi) * sp.erf(d / sp.sqrt(2)) + 2 * sp.exp(-d**2 / 2) / d)._eval_evalf(prec)

    _imp_ = staticmethod(lambda d: mpmath.sqrt(2 * mpmath.pi) * mpmath.erf(d / mpmath.sqrt(2))
                         + 2 * mpmath.exp(-d**2 / 2) / d)

    def fdiff(self, argindex=1):
        d = self.args[0]
        return -2 * sp.exp(-d**2 / 2) / d**2


def _tweedie_series(y, phi, p):
    """a(y, φ, p) by Dunn and Smyth's series (2005): for y > 0, (1/y)·Σ_{j≥1} W_j with
    W_j = y^(−jα)(p − 1)^(jα)/(φ^(j(1−α))(2 − p)^j j! Γ(−jα)), α = (2 − p)/(1 − p); 1 at y = 0."""
    y, phi, p = (mpmath.mpf(v) for v in (y, phi, p))
    if y == 0:
        return mpmath.mpf(1)
    alpha = (2 - p) / (1 - p)

    def term(j):
        j = mpmath.mpf(j)
        return (y ** (-j * alpha) * (p - 1) ** (j * alpha)
                / (phi ** (j * (1 - alpha)) * (2 - p) ** j * mpmath.factorial(j) * mpmath.gamma(-j * alpha)))

    return mpmath.nsum(term, [1, mpmath.inf]) / y


class TweedieNormaliser(sp.Function):
    r""":math:`a(y, \phi)` of the Tweedie compound Poisson–gamma density (power 1 < p < 2),
    :math:`p(y) = a(y, \phi)\,\exp\big((y\mu^{1-p}/(1-p) - \mu^{2-p}/(2-p))/\phi\big)`: an infinite series with no
    closed form, positive, 1 at y = 0, and free of μ — so of θ: a derivation drops its log without writing it out.
    ``TweedieNormaliser(y, phi, p)``; its value by the series (mpmath), for the sampler and the metric."""

    nargs = 3

    def _eval_is_positive(self):
        y, phi, p = self.args
        return True if y.is_nonnegative and phi.is_positive and p.is_positive else None

    def _eval_is_real(self):
        return self._eval_is_positive()

    def _eval_evalf(self, prec):
        if not all(a.is_number for a in self.args):
            return None
        with mpmath.workprec(prec):
            return sp.Float(_tweedie_series(*(a.evalf(prec) for a in self.args)), precision=prec)

    _imp_ = staticmethod(_tweedie_series)

    def _latex(self, printer, exp=None):
        y, phi, _ = self.args
        tex = r"a\left(%s, %s\right)" % (printer._print(y), printer._print(phi))
        return tex if exp is None else r"%s^{%s}" % (tex, exp)

    def _sympystr(self, printer):
        return "a(%s, %s)" % tuple(printer._print(a) for a in self.args[:2])

    def _pretty(self, printer):
        from sympy.printing.pretty.stringpict import prettyForm

        inner = printer._print_seq(self.args[:2], delimiter=", ")
        return prettyForm(*prettyForm(*inner.parens()).left("a"))


SPECIAL = (I0, I1, HuberNormaliser, TweedieNormaliser)


class DeclaredNormaliser(sp.Function):
    """A factor of a user's density that the recipe declares rather than writes: a(y, φ) of y and known parameters
    alone (no μ, so no θ), positive. It has no value: a derivation drops its log as θ-free, the verifier gives each
    distinct call an independent positive value at a sampled point (so a claim that needs its value to hold is not
    accepted by luck), and nothing that must compute it (a full NLL, generated code) is made."""

    opaque = True
    why = ""

    def _eval_is_positive(self):
        return True

    def _eval_is_real(self):
        return True


def declared_normaliser(name: str, nargs: int, why: str) -> type:
    """A DeclaredNormaliser called ``name`` of ``nargs`` arguments (one class per recipe)."""
    return type(name, (DeclaredNormaliser,), {"nargs": nargs, "why": why})
