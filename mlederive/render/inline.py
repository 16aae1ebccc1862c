"""One line of unicode for an expression inside a sentence, with the textbook settings of :mod:`.printing`.

What the terminal shows in a justification and JSON carries as its text: ``2σ²/n``,
``σ(η_i) − y_i``, ``log y_i!``. Never Python syntax.
"""
from __future__ import annotations

import sympy as sp
from sympy.printing.precedence import PRECEDENCE, precedence
from sympy.printing.pretty.pretty_symbology import pretty_symbol
from sympy.printing.str import StrPrinter

from .. import symbolic as S
from .printing import (
    TARGETS,
    arranged,
    coefficient_first,
    common_factor,
    fraction_parts,
    observed_first,
    ordered_terms,
    simple_argument,
)

_SUPERSCRIPT = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")


class ProsePrinter(StrPrinter):
    """One line of unicode for an expression inside a sentence: ``2σ²/n``, ``σ(η_i) − y_i``, ``log y_i!``.

    What the terminal shows in a justification and JSON carries as its text. Never Python
    syntax: no ``**``, ``sqrt(``, ``factorial(`` and no Greek letter spelled out.
    """

    printmethod = "_prose"  # not _sympystr: σ, Φ and softmax print by their unicode names here
    _default_settings = dict(StrPrinter._default_settings, order=None, symbol_names={})

    def __init__(self, settings=None):
        super().__init__(settings)
        self._targets = TARGETS

    def _name(self, name: str) -> str:
        from ..symbolic import comma_subscript

        split = comma_subscript(name)
        if split is not None:  # η_μ,i
            return pretty_symbol(split[0]) + "_" + ",".join(pretty_symbol(p) for p in split[1])
        return pretty_symbol(name)

    def _print_Symbol(self, expr):
        named = self._settings["symbol_names"].get(expr)
        return named if named is not None else self._name(expr.name)

    _print_Dummy = _print_Symbol

    def _print_Indexed(self, expr):
        from .. import symbolic as S

        return self._name(S.indexed_name(expr))

    def _print_Idx(self, expr):
        return self._name(expr.label.name if hasattr(expr.label, "name") else str(expr.label))

    def _print_IndexedBase(self, expr):
        return self._name(expr.label.name)

    def _print_UnevaluatedExpr(self, expr):
        return self._print(expr.args[0])

    def _print_Pi(self, expr):
        return "π"

    def _print_Exp1(self, expr):
        return "e"

    def _print_Infinity(self, expr):
        return "∞"

    def _print_NegativeInfinity(self, expr):
        return "−∞"

    def _print_Add(self, expr, order=None):
        factored = common_factor(expr)
        if factored:
            return self._print_Mul(sp.Mul(*factored, evaluate=False))
        terms = ordered_terms(self._as_ordered_terms(expr, order=None))
        out = []
        for n, term in enumerate(terms):
            if term.could_extract_minus_sign():
                text = self.parenthesize(-term, PRECEDENCE["Add"])
                out.append(("−" if n == 0 else " − ") + text)
            else:
                out.append(("" if n == 0 else " + ") + self.parenthesize(term, PRECEDENCE["Add"]))
        return "".join(out)

    def _print_Mul(self, expr):
        negative, factors = arranged(expr, self._targets)
        split = coefficient_first(factors)
        if split:  # (n/2)·log(2π)
            coefficient = self._print_Mul(sp.Mul(*split[0], evaluate=False))
            text = ("(%s)" % coefficient if "/" in coefficient else coefficient) + "·" + self._product(split[1])
            return ("−" + text) if negative else text
        numer, denom = fraction_parts(factors)
        top = self._product(numer) if numer else "1"
        if denom:
            bottom = self._product(denom)
            if len(denom) > 1 or denom[0].is_Mul:
                bottom = "(%s)" % bottom
            top = "%s/%s" % (top, bottom)
        return ("−" + top) if negative else top

    def _product(self, factors) -> str:
        parts = [self.parenthesize(f, PRECEDENCE["Mul"], strict=True) for f in factors]
        out = parts[0] if parts else "1"
        for prev, part in zip(parts, parts[1:]):
            # juxtapose a number and a letter (2σ², n·log …): a dot only where two words would run together
            # and π or e with what follows (2πτ², as a textbook writes it)
            number = prev[-1:].isdigit() or prev in ("π", "e") or prev.endswith("π")
            glue = "" if number and not part[:1].isdigit() and not part.startswith(("log", "exp")) else "·"
            out += glue + part
        return out

    def _print_Pow(self, expr, rational=False):
        base, exp = expr.base, expr.exp
        if exp == sp.Rational(1, 2):
            inner = self._print(base)
            return "√" + (inner if base.is_Atom or isinstance(base, sp.Indexed) else "(%s)" % inner)
        if exp.is_negative:
            return "1/" + self.parenthesize(sp.Pow(base, -exp), PRECEDENCE["Mul"] + 1)
        text = self.parenthesize(base, PRECEDENCE["Pow"], strict=False)
        if exp.is_Integer:
            return text + str(exp).translate(_SUPERSCRIPT)
        if exp.is_Atom or isinstance(exp, sp.Indexed):
            return "%s^%s" % (text, self._print(exp))
        return "%s^(%s)" % (text, self._print(exp))

    def _print_beta(self, expr):
        return "B(%s, %s)" % (self._print(expr.args[0]), self._print(expr.args[1]))

    def _print_Rational(self, expr):
        text = "%d/%d" % (abs(expr.p), expr.q) if expr.q != 1 else str(abs(expr.p))
        return ("−" if expr.p < 0 else "") + text

    def _print_Integer(self, expr):
        return ("−" if expr < 0 else "") + str(abs(int(expr)))

    def _print_Float(self, expr):
        text = super()._print_Float(expr)
        return "−" + text[1:] if text.startswith("-") else text

    def _print_Function(self, expr):
        return "%s(%s)" % (self._function_name(expr), ", ".join(self._print(a) for a in expr.args))

    def _print_TweedieNormaliser(self, expr):
        return "a(%s, %s)" % tuple(self._print(a) for a in expr.args[:2])

    def _function_name(self, expr) -> str:
        return {"gamma": "Γ", "I0": "I₀", "I1": "I₁", "HuberNormaliser": "Z", "sign": "sgn", "DiracDelta": "δ", "Heaviside": "H", "polygamma": "ψ",
                "digamma": "ψ", "atan": "arctan"}.get(type(expr).__name__, type(expr).__name__)

    def _print_NamedFunction(self, expr):
        if hasattr(expr, "inline"):  # ρ_τ(u): a name with a subscript
            return expr.inline(self)
        if isinstance(expr, S.softmax):
            base, obs, cls = expr.args
            return "softmax_%s(%s)" % (self._print(cls), self._name("%s_%s" % (base.label.name, obs)))
        if getattr(expr, "binary", False):  # xlogy(x, y), logaddexp(a, b)
            return "%s(%s, %s)" % ((expr.ascii_name,) + tuple(self._print(a) for a in expr.args))
        if len(expr.args) == 2:  # logsumexp(η, i): observation i's logits
            base, obs = expr.args
            return "%s(%s)" % (expr.unicode_name, self._name("%s_%s" % (base.label.name, obs)))
        return "%s(%s)" % (expr.unicode_name, self._print(expr.args[0]))

    _print_sigmoid = _print_Phi = _print_phi = _print_softmax = _print_NamedFunction
    # the stable primitives (mlederive.primitives) of generated code
    _print_softplus = _print_log_ndtr = _print_mills = _print_log1mexp = _print_NamedFunction
    _print_expm1 = _print_log1p = _print_logsumexp = _print_xlogy = _print_xlog1py = _print_NamedFunction
    _print_logaddexp = _print_pinball = _print_huber = _print_huber_psi = _print_huber_inside = _print_NamedFunction

    def _print_exp(self, expr):
        return "exp(%s)" % self._print(expr.args[0])

    def _print_log(self, expr):
        arg = expr.args[0]
        inner = self._print(arg)
        if simple_argument(arg) or arg.is_Pow and arg.exp.is_Integer and arg.exp > 0 and simple_argument(arg.base):
            return "log " + inner
        return "log(%s)" % inner

    def _print_loggamma(self, expr):
        return "log Γ(%s)" % self._print(expr.args[0])

    def _print_factorial(self, expr):
        arg = expr.args[0]
        inner = self._print(arg)
        return (inner if arg.is_Symbol or isinstance(arg, sp.Indexed) or arg.is_Integer else "(%s)" % inner) + "!"

    def _print_binomial(self, expr):
        return "C(%s, %s)" % (self._print(expr.args[0]), self._print(expr.args[1]))

    def _print_Abs(self, expr):
        return "|%s|" % self._print(observed_first(expr.args[0]))

    def _print_Sum(self, expr):
        return self._big("Σ", expr)

    def _print_Product(self, expr):
        return self._big("∏", expr)

    def _big(self, sign, expr):
        body = self._print(expr.function)
        if expr.function.is_Add:
            body = "(%s)" % body
        heads = "".join("%s%s" % (sign, self._subscript(var)) for var, _, _ in reversed(expr.limits))
        return "%s %s" % (heads, body)

    def _subscript(self, var) -> str:
        text = pretty_symbol("s_" + self._print(var))[1:]
        return text if not text.startswith("_") else "_" + self._print(var)

    def _print_Equality(self, expr):
        return "%s = %s" % (self._print(expr.lhs), self._print(expr.rhs))

    def _print_MatrixSymbol(self, expr):
        return self._name(expr.name)

    def _print_Transpose(self, expr):
        return self.parenthesize(expr.arg, PRECEDENCE["Pow"]) + "ᵀ"

    def _print_Inverse(self, expr):
        return self.parenthesize(expr.arg, PRECEDENCE["Pow"]) + "⁻¹"

    def _print_MatMul(self, expr):
        return "".join(self.parenthesize(a, precedence(expr)) for a in expr.args)

    def _print_Identity(self, expr):
        return "I"

    def _print_MatAdd(self, expr):
        return " + ".join(self._print(t) for t in sorted(expr.args, key=lambda t: t.has(sp.Identity)))


def prose_math(expr) -> str:
    """An expression as one line of unicode, the way a sentence quotes it."""
    return ProsePrinter().doprint(expr)
