"""Numerically stable primitives: the functions generated code computes a loss with.

Each is a :class:`~mlederive.symbolic.NamedFunction` whose ``elementary()`` is its mathematical
definition, so the verifier proves a rewrite into them exactly as any other step (it writes
them out first). How each is *computed* is the target library's stable routine (``numpy.logaddexp``,
``scipy.special.log_ndtr`` …) or, where no library has one, an expression of ours that the code
generator verifies branch by branch (see :mod:`mlederive.codegen`).

A primitive's derivative (``fdiff``) is only a convenience for building the next form: the
verifier never trusts it — claims write primitives out before differentiating (:func:`expand_primitives`).
"""
from __future__ import annotations

import sympy as sp

from . import symbolic as S


class Primitive(S.NamedFunction):
    """A stable primitive: printed by name (softplus(η)), proved through its definition."""

    def _eval_is_positive(self):
        return None

    def _eval_is_extended_negative(self):
        return None


class softplus(Primitive):
    r""":math:`\operatorname{softplus}(z) = \log(1 + e^z)`, computed without overflow for large z."""

    unicode_name, latex_name, ascii_name = "softplus", r"\operatorname{softplus}", "softplus"

    def fdiff(self, argindex=1):
        return S.sigmoid(self.args[0])

    def elementary(self):
        return sp.log(1 + sp.exp(self.args[0]))

    def _eval_is_positive(self):
        return True if self.args[0].is_real else None


class log_ndtr(Primitive):
    r""":math:`\log \Phi(z)`, accurate far in the lower tail (Φ(−40) underflows; its log is ≈ −804.6)."""

    unicode_name, latex_name, ascii_name = "log_ndtr", r"\operatorname{log\_ndtr}", "log_ndtr"

    def fdiff(self, argindex=1):
        return mills(self.args[0])

    def elementary(self):
        return sp.log(S.Phi(self.args[0]))

    def _eval_is_extended_negative(self):
        return True if self.args[0].is_real else None


class mills(Primitive):
    r""":math:`\varphi(z)/\Phi(z)`, the inverse Mills ratio, computed as :math:`\exp(\log\varphi(z) - \log\Phi(z))`."""

    unicode_name, latex_name, ascii_name = "mills", r"\operatorname{mills}", "mills"

    def fdiff(self, argindex=1):
        z = self.args[0]
        return -mills(z) * (z + mills(z))

    def elementary(self):
        return S.phi(self.args[0]) / S.Phi(self.args[0])

    def _eval_is_positive(self):
        return True if self.args[0].is_real else None


class log1mexp(Primitive):
    r""":math:`\log(1 - e^{-u})` for u > 0 (Mächler's two branches): exact for tiny u and for large u."""

    unicode_name, latex_name, ascii_name = "log1mexp", r"\operatorname{log1mexp}", "log1mexp"

    def fdiff(self, argindex=1):
        return 1 / (sp.exp(self.args[0]) - 1)

    def elementary(self):
        return sp.log(1 - sp.exp(-self.args[0]))

    def _eval_is_extended_negative(self):
        return True if self.args[0].is_positive else None


class expm1(Primitive):
    r""":math:`e^z - 1`, exact for small z."""

    unicode_name, latex_name, ascii_name = "expm1", r"\operatorname{expm1}", "expm1"

    def fdiff(self, argindex=1):
        return sp.exp(self.args[0])

    def elementary(self):
        return sp.exp(self.args[0]) - 1

    def _eval_is_positive(self):
        return self.args[0].is_positive


class log1p(Primitive):
    r""":math:`\log(1 + z)`, exact for small z."""

    unicode_name, latex_name, ascii_name = "log1p", r"\operatorname{log1p}", "log1p"

    def fdiff(self, argindex=1):
        return 1 / (1 + self.args[0])

    def elementary(self):
        return sp.log(1 + self.args[0])

    def _eval_is_positive(self):
        return self.args[0].is_positive


class logsumexp(Primitive):
    r""":math:`\log \sum_j e^{\eta_{ij}}` over observation i's K logits, computed after subtracting the largest.

    ``logsumexp(eta, i)``: like :class:`~mlederive.symbolic.softmax`, its arguments are the logits' base and
    the observation index."""

    unicode_name, latex_name, ascii_name = "logsumexp", r"\operatorname{logsumexp}", "logsumexp"
    nargs = 2

    def elementary(self):
        base, obs = self.args
        return sp.log(sp.Sum(sp.exp(base[obs, S.j]), (S.j, 1, S.K)))

    def fdiff(self, argindex=1):
        raise TypeError("logsumexp(eta, i) is differentiated through its elementary form")

    def _eval_is_real(self):
        return True

    def _latex(self, printer, exp=None):
        base, obs = self.args
        tex = r"\operatorname{logsumexp}\left(\boldsymbol{%s}_{%s}\right)" % (
            printer._print(sp.Symbol(base.label.name)), printer._print(obs))
        return tex if exp is None else r"%s^{%s}" % (tex, exp)

    def _sympystr(self, printer):
        base, obs = self.args
        return "logsumexp(%s_%s)" % (base.label.name, printer._print(obs))

    def _pretty(self, printer):
        from sympy.printing.pretty.stringpict import prettyForm

        base, obs = self.args
        inner = printer._print(sp.Symbol("%s_%s" % (base.label.name, obs)))
        return prettyForm(*prettyForm(*inner.parens()).left("logsumexp"))


class Binary(Primitive):
    """A primitive of two arguments, printed name(a, b)."""

    nargs = 2
    binary = True

    def _latex(self, printer, exp=None):
        tex = r"\operatorname{%s}\left(%s, %s\right)" % ((self.ascii_name,) + tuple(printer._print(a) for a in self.args))
        return tex.replace("_", r"\_") if exp is None else r"%s^{%s}" % (tex, exp)

    def _sympystr(self, printer):
        return "%s(%s, %s)" % ((self.ascii_name,) + tuple(printer._print(a) for a in self.args))

    def _pretty(self, printer):
        from sympy.printing.pretty.stringpict import prettyForm

        inner = printer._print_seq(self.args, delimiter=", ")
        return prettyForm(*prettyForm(*inner.parens()).left(self.ascii_name))


class _XLog(Binary):
    """x·f(y) with 0·f(y) = 0 where f(y) is infinite."""

    def _eval_is_real(self):
        return None


class logaddexp(Binary):
    r""":math:`\log(e^a + e^b)`, computed as :math:`\max(a, b) + \log(1 + e^{-|a - b|})`: the log of a sum of two
    positive terms each given by its log, neither exponentiated (a zero-inflated law's
    :math:`\log(π + (1 − π)e^{−λ})`)."""

    unicode_name, latex_name, ascii_name = "logaddexp", r"\operatorname{logaddexp}", "logaddexp"

    def fdiff(self, argindex=1):
        a, b = self.args
        return S.sigmoid(a - b) if argindex == 1 else S.sigmoid(b - a)

    def elementary(self):
        a, b = self.args
        return sp.log(sp.exp(a) + sp.exp(b))

    def _eval_is_real(self):
        return True if all(a.is_real for a in self.args) else None


class xlogy(_XLog):
    r""":math:`x \log y` with :math:`0 \log 0 = 0`: a perfect prediction's term (y = 0 where μ = 0) is 0, not nan."""

    unicode_name, latex_name, ascii_name = "xlogy", r"\operatorname{xlogy}", "xlogy"

    def elementary(self):
        x, y = self.args
        return x * sp.log(y)

    def fdiff(self, argindex=1):
        x, y = self.args
        return sp.log(y) if argindex == 1 else x / y


class xlog1py(_XLog):
    r""":math:`x \log(1 + y)` with :math:`0 \log 0 = 0`, exact for small y."""

    unicode_name, latex_name, ascii_name = "xlog1py", r"\operatorname{xlog1py}", "xlog1py"

    def elementary(self):
        x, y = self.args
        return x * sp.log(1 + y)

    def fdiff(self, argindex=1):
        x, y = self.args
        return sp.log(1 + y) if argindex == 1 else x / (1 + y)


PRIMITIVES = (softplus, log_ndtr, mills, log1mexp, expm1, log1p, logaddexp, logsumexp, xlogy, xlog1py)


def expand_primitives(expr: sp.Expr) -> sp.Expr:
    """``expr`` with every stable primitive written out by its definition (σ, Φ, φ are kept)."""
    while isinstance(expr, sp.Basic) and expr.has(Primitive):
        expr = expr.replace(lambda e: isinstance(e, Primitive), lambda e: e.elementary())
    return expr
