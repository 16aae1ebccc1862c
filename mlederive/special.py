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
    order = 0

    def _eval_is_positive(self):
        return True if self.args[0].is_positive else None

    def _eval_is_real(self):
        return True if self.args[0].is_positive else None

    def _eval_is_finite(self):
        return True if self.args[0].is_positive and self.args[0].is_finite else None

    def _eval_evalf(self, prec):
        return sp.besseli(self.order, self.args[0])._eval_evalf(prec)

    def _latex(self, printer, exp=None):
        tex = r"%s\left(%s\right)" % (self.latex_name, printer._print(self.args[0]))
        return tex if exp is None else r"%s^{%s}" % (tex, exp)

    def _sympystr(self, printer):
        return "%s(%s)" % (type(self).__name__, printer._print(self.args[0]))

    def _pretty(self, printer):
        from sympy.printing.pretty.stringpict import prettyForm

        arg = prettyForm(*printer._print(self.args[0]).parens())
        return prettyForm(*arg.left(self.unicode_name if printer._use_unicode else type(self).__name__))


class I0(SpecialFunction):
    r""":math:`I_0(\kappa)`, the modified Bessel function of the first kind, order 0: :math:`2\pi I_0(\kappa) =
    \int_{-\pi}^{\pi} e^{\kappa\cos t}\,dt`."""

    unicode_name, latex_name, order = "I₀", "I_0", 0
    _imp_ = staticmethod(lambda x: mpmath.besseli(0, x))

    def fdiff(self, argindex=1):
        return I1(self.args[0])


class I1(SpecialFunction):
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


SPECIAL = (I0, I1, HuberNormaliser)
