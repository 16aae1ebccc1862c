"""MathML for the HTML page: SymPy's presentation printer with the textbook settings of :mod:`.printing`.

Browsers render MathML Core natively — no JavaScript, no network — so an HTML page's
mathematics is these elements. σ, Φ, φ, softmax and log Γ print by name.
"""
from __future__ import annotations

import sympy as sp
from sympy.printing.mathml import MathMLPresentationPrinter
from sympy.printing.precedence import PRECEDENCE
from sympy.printing.pretty.pretty_symbology import pretty_symbol

from .. import symbolic as S
from .printing import (
    TARGETS,
    TextbookOrder,
    arranged,
    big_exponent,
    fraction_parts,
    matrix_parts,
    matrix_terms,
    observed_first,
    simple_argument,
)


class TextbookMathMLPrinter(TextbookOrder, MathMLPresentationPrinter):
    """SymPy's presentation MathML with the textbook settings; σ, Φ, φ, softmax and log Γ by name."""

    def __init__(self, settings=None):
        super().__init__({"mul_symbol": None, **(settings or {})})
        self._targets = TARGETS

    def _el(self, tag, *children, text=None, **attrs):
        node = self.dom.createElement(tag)
        for key, value in attrs.items():
            node.setAttribute(key, value)
        if text is not None:
            node.appendChild(self.dom.createTextNode(text))
        for child in children:
            node.appendChild(child)
        return node

    def _print_MatrixBase(self, m):
        """A matrix of formulas: each entry in display style (full-size fractions), rows apart, in brackets."""
        rows = [self._el("mtr", *[self._el("mtd", self._el("mstyle", self._print(m[r, c]), displaystyle="true"))
                                  for c in range(m.cols)]) for r in range(m.rows)]
        table = self._el("mtable", *rows, rowspacing="1ex", columnspacing="1.2em")
        return self._el("mrow", self._el("mo", text="["), table, self._el("mo", text="]"))

    _print_ImmutableDenseMatrix = _print_MatrixBase

    def _print_Mul(self, expr):
        if not expr.is_Mul:
            return super()._print_Mul(expr)
        negative, factors = arranged(expr, self._targets)
        row = self._el("mrow")
        if negative:
            row.appendChild(self._el("mo", text="-"))
        numer, denom = fraction_parts(factors)
        sums = [f for f in numer if isinstance(f, sp.Sum)]
        if denom and len(sums) == 1:  # c·Σ: the fraction goes in front of the sum
            rest = [f for f in numer if f is not sums[0]]
            row.appendChild(self._el("mfrac", self._product(rest), self._product(denom)))
            row.appendChild(self._print(sums[0]))
        elif denom:
            row.appendChild(self._el("mfrac", self._product(numer), self._product(denom)))
        else:
            row.appendChild(self._product(numer))
        return row

    def _product(self, factors):
        row = self._el("mrow")
        if not factors:
            row.appendChild(self._el("mn", text="1"))
        for n, f in enumerate(factors):
            if n:
                row.appendChild(self._el("mo", text="\u2062"))  # invisible times
                if isinstance(f, (sp.log, sp.exp, sp.Sum, sp.Product)) or isinstance(f, S.NamedFunction):
                    row.appendChild(self._el("mspace", width="0.17em"))  # n log σ, not nlogσ
            row.appendChild(self.parenthesize(f, PRECEDENCE["Mul"]) if len(factors) > 1 or f.is_Add
                            else self._print(f))
        return row

    def _print_exp(self, expr):
        if big_exponent(expr.args[0]):
            return self._el("mrow", self._el("mi", text="exp"), self._fenced(self._print(expr.args[0]),
                                                                             expr=expr.args[0]))
        return self._el("msup", self._el("mi", text="e"), self._print(expr.args[0]))

    def _fenced(self, inner, left="(", right=")", expr=None):
        """Brackets around ``inner``; they stretch only around something taller than a line (a fraction, a sum),
        not around η_i, whose subscript would make σ(η_i) carry tall parentheses."""
        tall = expr is None or bool(expr.atoms(sp.Sum, sp.Product)) or any(
            p.exp.is_negative or not p.exp.is_Integer for p in expr.atoms(sp.Pow))
        attrs = {} if tall else {"stretchy": "false"}
        return self._el("mrow", self._el("mo", text=left, **attrs), inner, self._el("mo", text=right, **attrs))

    def _print_NamedFunction(self, expr):
        if isinstance(expr, S.softmax):
            base, obs, cls = expr.args
            name = self._el("msub", self._el("mi", text="softmax"), self._print(cls))
            arg = self._el("msub", self._el("mi", text=pretty_symbol(base.label.name), mathvariant="bold"),
                           self._print(obs))
        else:
            name = self._el("mi", text=expr.unicode_name, mathvariant="normal")  # σ, Φ, φ upright: names
            arg = self._print(expr.args[0])
        return self._el("mrow", name, self._fenced(arg, expr=expr.args[-1]))

    def _print_SpecialFunction(self, expr):
        """I₀(κ), I₁(κ): the name upright, with its order as a subscript; Z(δ) by its name."""
        name = self._el("msub", self._el("mi", text="I", mathvariant="normal"), self._el("mn", text=str(expr.order))) \
            if hasattr(expr, "order") else self._el("mi", text=expr.unicode_name)
        return self._el("mrow", name, self._fenced(self._print(expr.args[0]), expr=expr.args[0]))

    _print_I0 = _print_I1 = _print_HuberNormaliser = _print_SpecialFunction

    def _print_TweedieNormaliser(self, expr):
        """a(y, φ): the Tweedie's series normaliser, by its name."""
        inner = self._el("mrow", self._print(expr.args[0]), self._el("mo", text=","), self._print(expr.args[1]))
        return self._el("mrow", self._el("mi", text="a"), self._fenced(inner))

    def _print_huber(self, expr):
        return self._print_pinball(expr)

    def _print_huber_psi(self, expr):
        level, u = expr.args
        name = self._el("msub", self._el("mi", text="ψ"), self._print(level))
        return self._el("mrow", name, self._fenced(self._print(u), expr=u))

    def _print_huber_inside(self, expr):
        level, u = expr.args
        # SymPy's doprint turns &amp; back into &: the entity, as its own relations write it
        inner = self._el("mrow", self._print(sp.Abs(u)), self._el("mo", text="&lt;"), self._print(level))
        return self._el("mrow", self._el("mn", text="1"), self._fenced(inner, "[", "]"))

    def _print_pinball(self, expr):
        """ρ_τ(u): the check function, its level as a subscript."""
        tau, u = expr.args
        name = self._el("msub", self._el("mi", text="ρ"), self._print(tau))
        return self._el("mrow", name, self._fenced(self._print(u), expr=u))

    # SymPy's dispatch skips base classes of a Function subclass: name each one
    _print_sigmoid = _print_Phi = _print_phi = _print_softmax = _print_NamedFunction
    _print_softplus = _print_log_ndtr = _print_mills = _print_log1mexp = _print_NamedFunction
    _print_expm1 = _print_log1p = _print_NamedFunction

    def _print_xlogy(self, expr):
        args = self._el("mrow", self._print(expr.args[0]), self._el("mo", text=","), self._print(expr.args[1]))
        return self._el("mrow", self._el("mi", text=expr.ascii_name), self._fenced(args, expr=expr.args[1]))

    _print_xlog1py = _print_logaddexp = _print_xlogy

    def _print_logsumexp(self, expr):
        base, obs = expr.args
        arg = self._el("msub", self._el("mi", text=pretty_symbol(base.label.name), mathvariant="bold"), self._print(obs))
        return self._el("mrow", self._el("mi", text="logsumexp"), self._fenced(arg, expr=obs))

    def _print_Symbol(self, sym, style="plain"):
        """η_i, ŷ_ik, σ², θ_1: Greek by its letter, a hat/bar/tilde over the base, index letters apart."""
        from sympy.printing.pretty.pretty_symbology import greek_unicode

        base, _, sub = sym.name.partition("_")
        accent = next((a for a in ("hat", "bar", "tilde") if base.endswith(a) and len(base) > len(a)), None)
        if accent:
            base = base[:-len(accent)]
        node = self._el("mi", text=greek_unicode.get(base, base))
        if accent:
            node = self._el("mover", node, self._el("mo", text={"hat": "^", "bar": "¯", "tilde": "~"}[accent]),
                            accent="true")
        if sub and "," in sub:  # η_μ,i: a parameter's η, then the observation
            parts = []
            for n, part in enumerate(sub.split(",")):
                parts += ([self._el("mo", text=",", separator="true")] if n else []) + [
                    self._el("mi", text=greek_unicode.get(part, part))]
            node = self._el("msub", node, self._el("mrow", *parts))
        elif sub:
            index = self._el("mrow", *[self._el("mn" if c.isdigit() else "mi", text=greek_unicode.get(c, c))
                                       for c in (sub if sub.isalnum() and len(sub) <= 3 else [sub])])
            node = self._el("msub", node, index)
        return node

    _print_Dummy = _print_Symbol

    def _big(self, sign, expr):
        """Σ or ∏ with every limit, outermost first (SymPy's own printer shows only the first)."""
        row = self._el("mrow")
        for var, lo, hi in reversed(expr.limits):
            low = self._el("mrow", self._print(var), self._el("mo", text="="), self._print(lo))
            row.appendChild(self._el("munderover", self._el("mo", text=sign), low, self._print(hi)))
        row.appendChild(self.parenthesize(expr.function, PRECEDENCE["Mul"]) if expr.function.is_Add
                        else self._print(expr.function))
        return row

    def _print_Sum(self, expr):
        return self._big("∑", expr)

    def _print_Product(self, expr):
        return self._big("∏", expr)

    def _print_Inverse(self, expr):
        """A⁻¹ with a minus sign in the exponent, not SymPy's ASCII <mn>-1</mn>."""
        minus_one = self._el("mrow", self._el("mo", text="−"), self._el("mn", text="1"))
        return self._el("msup", self.parenthesize(expr.arg, PRECEDENCE["Pow"]), minus_one)

    def _print_Identity(self, expr):
        return self._el("mi", text="I", mathvariant="normal")

    def _print_MatAdd(self, expr):
        row = self._el("mrow")
        for n, term in enumerate(matrix_terms(expr)):
            if n:
                row.appendChild(self._el("mo", text="+"))
            row.appendChild(self._print(term))
        return row

    def _print_MatMul(self, expr):
        scalar, matrices = matrix_parts(expr)
        row = self._el("mrow")
        if scalar != 1:
            row.appendChild(self._print(scalar))
        for m in matrices:
            row.appendChild(self.parenthesize(m, PRECEDENCE["Mul"]) if isinstance(m, sp.MatAdd) else self._print(m))
        return row

    def _print_Transpose(self, expr):
        return self._el("msup", self.parenthesize(expr.arg, PRECEDENCE["Pow"]), self._el("mo", text="⊤"))

    def _print_Idx(self, expr):
        return self._print(expr.label)

    def _print_UnevaluatedExpr(self, expr):
        return self._print(expr.args[0])

    def _print_sign(self, expr):
        return self._el("mrow", self._el("mi", text="sgn"), self._fenced(self._print(expr.args[0]),
                                                                         expr=expr.args[0]))

    def _print_Abs(self, expr):
        return self._fenced(self._print(observed_first(expr.args[0])), "|", "|", expr=expr.args[0])

    def _print_beta(self, expr):
        args = self._el("mrow", self._print(expr.args[0]), self._el("mo", text=","), self._print(expr.args[1]))
        return self._el("mrow", self._el("mi", text="B", mathvariant="normal"), self._fenced(args))

    def _print_loggamma(self, expr):
        return self._el("mrow", self._el("mi", text="log"), self._el("mspace", width="0.17em"),
                        self._el("mi", text="Γ", mathvariant="normal"),
                        self._fenced(self._print(expr.args[0]), expr=expr.args[0]))

    def _print_log(self, expr):
        arg = expr.args[0]
        simple = simple_argument(arg)
        inner = self._print(arg)
        return self._el("mrow", self._el("mi", text="log"), self._el("mo", text="\u2061"),
                        self._el("mspace", width="0.17em") if simple else self._el("mrow"),
                        inner if simple else self._fenced(inner, expr=arg))

    def _print_factorial(self, expr):
        arg = expr.args[0]
        inner = self._print(arg) if arg.is_Symbol or isinstance(arg, sp.Indexed) else \
            self._fenced(self._print(arg), expr=arg)
        return self._el("mrow", inner, self._el("mo", text="!"))
