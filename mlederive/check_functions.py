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


class pinball(S.NamedFunction):
    r""":math:`\rho_\tau(u) = \tfrac12(|u| + (2\tau - 1)u)`, written ``pinball(tau, u)``."""

    nargs = 2
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

    def _eval_is_real(self):
        return True if all(a.is_real for a in self.args) else None

    def _eval_is_positive(self):
        return None

    def _eval_is_extended_negative(self):
        return False if self.args[0].is_positive and (1 - self.args[0]).is_positive and self.args[1].is_real else None

    def _latex(self, printer, exp=None):
        tau, u = self.args
        tex = r"\rho_{%s}\left(%s\right)" % (printer._print(tau), printer._print(u))
        return tex if exp is None else r"%s^{%s}" % (tex, exp)

    def _sympystr(self, printer):
        return "pinball(%s, %s)" % tuple(printer._print(a) for a in self.args)

    def _pretty(self, printer):
        from sympy.printing.pretty.stringpict import prettyForm

        tau, u = self.args
        level = printer._print(tau)  # τ: unicode has no subscript τ, so ρ_τ as a textbook typed in plain text
        name = prettyForm("ρ_" + str(level)) if printer._use_unicode and level.height() == 1 else \
            prettyForm("pinball_" + str(level))
        return prettyForm(*prettyForm(*printer._print(u).parens()).left(name))

    def inline(self, printer) -> str:
        """ρ_τ(u) on one line (prose)."""
        tau, u = self.args
        return "ρ_%s(%s)" % (printer._print(tau), printer._print(u))
