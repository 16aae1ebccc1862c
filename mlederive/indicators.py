"""An indicator of the outcome, 1[y_i = c]: a censored row's (the Tobit's), a structural zero's (the zero-inflated
Poisson's). The mathematics carries it as a KroneckerDelta of y_i and a value (the verifier splits every claim on it);
a reader sees 1[y_i = c] (:class:`Indicator`, put in by :func:`show_indicators` wherever an expression is printed)."""
from __future__ import annotations

import sympy as sp


def indicator_of(delta):
    """(y_i, c) for an indicator 1[y_i = c] of the outcome (a KroneckerDelta of y_i and a value that is no index),
    else None: class deltas δ_jk stay deltas."""
    if not isinstance(delta, sp.KroneckerDelta):
        return None
    for a, b in (delta.args, delta.args[::-1]):
        outcome = (isinstance(a, sp.Indexed) and a.base.label.name == "y") or (isinstance(a, sp.Symbol) and a.name == "y")
        if outcome and not isinstance(b, (sp.Indexed, sp.Idx)) and not b.atoms(sp.Idx):
            return a, b
    return None


class Indicator(sp.Function):
    """1[y_i = c] as a reader sees it — display only: the verifier and the code see the KroneckerDelta it stands for
    (:func:`show_indicators` puts it in where an expression is printed)."""

    nargs = 2

    def _latex(self, printer, exp=None):
        tex = r"{\mathbf{1}[%s = %s]}" % tuple(printer._print(a) for a in self.args)  # one box: no break at its =
        return tex if exp is None else r"%s^{%s}" % (tex, exp)

    def _sympystr(self, printer):  # no spaces: a sentence wrapped at a space would split the indicator
        return "1[%s=%s]" % tuple(printer._print(a) for a in self.args)

    _prose = _sympystr

    def _pretty(self, printer):
        from sympy.printing.pretty.stringpict import prettyForm

        inner = prettyForm(*printer._print(self.args[0]).right(" = "))
        inner = prettyForm(*inner.right(printer._print(self.args[1])))
        return prettyForm(*prettyForm(*inner.parens("[", "]")).left("1"))

    def _mathml_presentation(self, printer):
        dom = printer.dom

        def el(tag, text=None, *children):
            node = dom.createElement(tag)
            if text is not None:
                node.appendChild(dom.createTextNode(text))
            for child in children:
                node.appendChild(child)
            return node

        one = el("mn", "1")
        one.setAttribute("mathvariant", "bold")
        return el("mrow", None, one, el("mo", "["), printer._print(self.args[0]), el("mo", "="),
                  printer._print(self.args[1]), el("mo", "]"))


def show_indicators(expr):
    """Every indicator 1[y_i = c] of ``expr`` as an :class:`Indicator`, for printing."""
    if not isinstance(expr, sp.Basic) or not expr.has(sp.KroneckerDelta):
        return expr
    return expr.replace(lambda e: indicator_of(e) is not None, lambda e: Indicator(*indicator_of(e)))
