"""Textbook printing: the settings every output format shares, as SymPy printer subclasses.

SymPy prints an expression in its internal order — ``-η_i + y_i``, ``-(σ(η) - 1)·σ(η)``,
``√2·e^{…}/(2√π·σ)``. A textbook prints the same expression another way, and these printers
do too, each in its own format (LaTeX, the terminal's 2-D art, MathML for HTML, one-line
unicode for prose):

* the terms of a sum come positive first, each group in SymPy's order: ``y_i − η_i``,
  ``σ(η_i) − y_i``, ``e^{η_i} − y_iη_i`` (observed before fitted where both are single terms);
* in a product, numbers first, then the target ``y``, then SymPy's order: ``y_iη_i``;
* a product's minus sign moves into a factor of the form (c − u), when that makes it vanish:
  ``−(σ − 1)σ`` prints ``σ(1 − σ)`` — the same value, one sign fewer;
* ``exp`` of more than a symbol prints ``exp(…)`` rather than a tower of exponents;
* σ, Φ, φ, softmax and log Γ keep their names.

The MathML printer (HTML) is in :mod:`.mathml`, the one-line unicode printer (prose) in
:mod:`.inline`. Printing never changes what an expression *is*: the tree is the same, only read in another
order (the one rewrite, a sign moved into a factor, is an identity). ``tests/test_printing.py``
checks every printed form against its expression.
"""
from __future__ import annotations

import sympy as sp
from sympy.printing.latex import LatexPrinter
from sympy.printing.precedence import PRECEDENCE
from sympy.printing.pretty.pretty import PrettyPrinter
from sympy.printing.pretty.stringpict import prettyForm

from .. import symbolic as S

#: names of the target y (an exam variant may call it t): observed values come first in a product
TARGETS = ("y", "t")


# -- the shared decisions ------------------------------------------------------------------------

def ordered_terms(terms) -> list:
    """Terms of a sum in textbook order: positive ones first, then negative ones, each in the order given — and
    in an objective with a prior, the data terms before the prior's (ridge and lasso alike)."""
    terms = [_sign_as_shown(t) for t in terms]
    terms = [t for t in terms if not t.could_extract_minus_sign()] + [t for t in terms if t.could_extract_minus_sign()]
    prior = [_of_prior(t) for t in terms]
    if any(prior) and not all(prior) and any(_over_sample(t) for t in terms):
        terms = [t for t, p in zip(terms, prior) if not p] + [t for t, p in zip(terms, prior) if p]
    return terms


def _of_prior(term) -> bool:
    """A prior's term: it mentions the weights θ_j (or θ, in a gradient), or their count d."""
    return any(getattr(s, "name", "") in ("theta", "d") for s in term.free_symbols) or \
        any(a.base.label.name == "theta" for a in term.atoms(sp.Indexed))


def _over_sample(term) -> bool:
    return any(lim[0].name == "i" for s in term.atoms(sp.Sum) for lim in s.limits)


def _sign_as_shown(term):
    """``term`` with the sign a reader sees: a product whose minus :func:`arranged` moves into a factor
    (−(y − 1)·f is (1 − y)·f) is rebuilt so that the sum's printer, which asks SymPy for the sign, agrees —
    else it prints "− −(1 − y)·f"."""
    if not term.is_Mul:
        return term
    negative, factors = arranged(term)
    if negative == term.could_extract_minus_sign():
        return term
    body = sp.Mul(*factors, evaluate=False)
    return sp.Mul(sp.S.NegativeOne, body, evaluate=False) if negative else body


def _complement(factor):
    """−factor when factor is (u − c) written with a number c (or 1/(u − c)): the form (c − u) absorbs a
    minus sign; None otherwise."""
    if factor.is_Add and sum(t.could_extract_minus_sign() for t in factor.args) == 1 and \
            any(t.is_Number and t.is_negative for t in factor.args):
        return -factor
    if factor.is_Pow and factor.exp.is_Integer and factor.exp % 2 and _complement(factor.base) is not None:
        return (-factor.base) ** factor.exp
    return None


#: symbols a model fits or is given per observation: they come after constants and the target in a product
_VARYING = ("eta", "mu", "theta", "x", "z", "u", "v", "w", "beta")


def _name_of(factor):
    base = factor.base if factor.is_Pow else factor
    if isinstance(base, sp.Indexed):
        base = base.base.label
    return base.name.split("_")[0] if isinstance(base, sp.Symbol) else None


def held(expr: sp.Mul) -> bool:
    """A product built as written (a textbook density's (k/μ)^k·y^(k−1)·…): SymPy would order it otherwise."""
    return sp.Mul(*expr.args).args != expr.args


def arranged(expr: sp.Mul, targets=TARGETS) -> tuple[bool, list]:
    """(negative, factors) of a product in textbook order; the sign moved into a factor where it can be.

    Numbers first, then constants and parameters (n, σ², k, m), then the target y, then what varies
    (η, μ, x, functions of them, sums) — ``m·y``, ``k·y/μ``, ``n·log σ``, ``y_i·η_i``; a product built
    as written keeps its order.
    """
    args = sp.Mul.make_args(expr)
    numbers = [f for f in args if f.is_Number]
    others = [f for f in args if not f.is_Number]
    coeff = sp.Mul(*numbers)
    flippable = [n for n, f in enumerate(others) if _complement(f) is not None]
    # with no sign to absorb, (u − 1) turns into −(1 − u) only for a probability-like u (ȳ, p, μ, σ(η)): a
    # parameter keeps its own form, (k − 1)
    if not coeff.is_negative:
        flippable = [n for n in flippable if _probability_like(others[n])]
    if coeff.is_negative and flippable or len(flippable) == 1:
        # −(σ − 1)σ is σ(1 − σ); 1/(ȳ(ȳ − 1)) is −1/(ȳ(1 − ȳ)): (1 − p) as a textbook writes it, its sign in front
        n = flippable[0]
        others[n], coeff = _complement(others[n]), -coeff
    # an even power of (u − c) is the same as of (c − u): (1 − Φ)², as a textbook writes it
    others = [(-f.base) ** f.exp if f.is_Pow and f.exp.is_Integer and f.exp % 2 == 0 and
              _complement(f.base) is not None else f for f in others]
    negative = bool(coeff.is_negative)
    coeff = -coeff if negative else coeff
    head = [coeff] if coeff != 1 else []
    if held(expr):
        return negative, head + others
    if len(others) > 1:
        try:
            others = list(sp.Mul(*others, evaluate=False).as_ordered_factors())
        except (TypeError, ValueError):
            pass

    def group(f):
        if isinstance(f, sp.UnevaluatedExpr):
            return 0  # a held leading factor: 1/(σ√(2π)) of a textbook density
        if f.is_Add:  # (k − 1) with the constants, (1 − y) with the target, (η_i − y_i) last: x_i·(η_i − y_i)
            names = {_name_of(a) for a in f.free_symbols | f.atoms(sp.Indexed)} - {None}
            if not names & (set(targets) | set(_VARYING)):
                return 1
            return 2 if names <= set(targets) else 4
        if f.is_NumberSymbol:  # 2πτ², not 2τ²π: π and e with the numbers
            return 0.25
        name = _name_of(f)
        if name is None:
            return 3
        if name == "n":  # the sample size leads the constants: n·k·log k, as n·log σ
            return 0.5
        return 2 if name in targets else 3 if name in _VARYING else 1

    return negative, head + _complements_last(sorted(others, key=group))


#: names of parameters that are not probabilities (a shape k, degrees of freedom ν …): (k − 1) stays as written
_PARAMETERS = ("k", "nu", "m", "alpha", "lambda", "phi", "s", "b", "sigma", "tau", "n", "d", "K")


def _probability_like(factor) -> bool:
    """(u − c) where u is not a parameter of the family (ȳ, p, y, μ, σ(η), Φ(η) …)."""
    base = factor.base if factor.is_Pow else factor
    names = {_name_of(a) for a in base.free_symbols | base.atoms(sp.Indexed)} - {None}
    return bool(base.atoms(sp.Function)) or not names <= set(_PARAMETERS)


def _complements_last(factors: list) -> list:
    """A sum goes after the factors it is made of: σ(η)·(1 − σ(η)), φ(η)·(…φ(η)…), as a textbook writes them."""
    out = list(factors)
    for f in factors:
        if f.is_Add:
            inside = [g for g in out if g is not f and not g.is_Add and not g.is_Number and f.has(g)]
            if inside:
                out.remove(f)
                out.insert(max(out.index(g) for g in inside) + 1, f)
    return out


def common_factor(expr):
    """2η_i − 2y_i as (2, η_i − y_i): a short sum whose terms share a whole number prints it once in front
    (a long sum keeps its terms: −n log σ − (n/2) log(2π) − …, not one fraction over 2); else None."""
    if len(expr.args) > 3 or expr.has(sp.Sum):
        return None
    c, rest = expr.primitive()
    return (c, rest) if c.is_Integer and c > 1 and rest.is_Add else None


def coefficient_first(factors: list):
    """(n/2, log(2π)) for n·log(2π)/2: a fractional coefficient goes before the functions it multiplies, as
    textbooks write (n/2) log 2π; None when the product is not of that shape."""
    funcs = [f for f in factors if isinstance(f, (sp.log, sp.exp, sp.loggamma, sp.gamma)) or
             isinstance(f, S.NamedFunction)]
    rest = [f for f in factors if f not in funcs]
    if not funcs or not rest or any(isinstance(f, sp.Sum) for f in factors):
        return None
    by_number = any(f.is_Rational and f.q != 1 for f in rest) and not any(f.is_Pow and f.exp.is_negative
                                                                           for f in rest)
    return (rest, funcs) if by_number else None


def observed_first(arg):
    """The argument of |·| with the target's term first: |y − μ|, not |μ − y| (the same value)."""
    if arg.is_Add and any(not t.could_extract_minus_sign() and _name_of(t) in TARGETS for t in sp.Add.make_args(-arg)):
        return -arg
    return arg


def simple_argument(arg) -> bool:
    """log y, log σ, log 2, log σ(η_i), log y_i!: an argument that needs no parentheses after log."""
    def atom(a):
        return a.is_Symbol or isinstance(a, sp.Indexed) or (a.is_Integer and a > 0)
    return atom(arg) or isinstance(arg, sp.gamma) or (isinstance(arg, (S.NamedFunction, sp.factorial))
                                                        and atom(arg.args[-1]))


def fraction_parts(factors: list) -> tuple[list, list]:
    """(numerator, denominator) factors of an arranged product: 1/n and x^(−2) go below, a rational p/q splits."""
    numer = [f for f in factors if not (f.is_Pow and f.exp.is_negative) and not (f.is_Rational and f.q != 1)]
    denom = [f.base ** -f.exp for f in factors if f.is_Pow and f.exp.is_negative]
    for f in factors:
        if f.is_Rational and f.q != 1:
            if f.p != 1:
                numer.insert(0, sp.Integer(f.p))
            denom.insert(0, sp.Integer(f.q))
    return numer, denom


class TextbookOrder:
    """Mixin for a SymPy printer: the terms of a sum positive first; a short sum's common number in front."""

    def _as_ordered_terms(self, expr, order=None):
        # one order for every sum, also inside a product printed with SymPy's order "none" (√(η² + 1), never
        # √(1 + η²) in the same document)
        if order in (None, "none"):
            return ordered_terms(expr.as_ordered_terms())
        return ordered_terms(super()._as_ordered_terms(expr, order=order))

    def _print_Add(self, expr, order=None):
        factored = common_factor(expr)
        if factored:
            return self._print_Mul(sp.Mul(*factored, evaluate=False))
        return super()._print_Add(expr, order)


def big_exponent(arg) -> bool:
    """An exponent that would stack into a tower: a fraction, a sum of several terms, another exp."""
    return bool(arg.atoms(sp.Pow) and any(p.exp.is_negative for p in arg.atoms(sp.Pow))) or \
        len(sp.Add.make_args(arg)) > 2 or sp.count_ops(arg) > 4 or arg.has(sp.exp)


# -- LaTeX ---------------------------------------------------------------------------------------

class TextbookLatexPrinter(TextbookOrder, LatexPrinter):
    """SymPy's LaTeX printer with the textbook settings (and log, not ln)."""

    def __init__(self, settings=None):
        super().__init__({"ln_notation": False, **(settings or {})})
        self._targets = TARGETS

    def _print_Symbol(self, expr, style="plain"):
        from sympy.printing.latex import translate

        from ..symbolic import comma_subscript

        split = comma_subscript(expr.name)
        if split is None:
            return super()._print_Symbol(expr, style)
        base, parts = split
        return "%s_{%s}" % (translate(base), ",".join(translate(p) for p in parts))

    def _print_MatrixBase(self, expr):
        """A matrix of one observation's formulas (a Hessian or Fisher matrix in η_i) as a textbook sets it: each
        entry in display style, rows apart (bmatrix); any other matrix as SymPy sets it."""
        per_observation = any(s.name.endswith(("_i", ",i")) for s in expr.free_symbols)
        if not per_observation:
            return super()._print_MatrixBase(expr)
        rows = [" & ".join(r"\displaystyle " + self._print(e) for e in expr.row(r)) for r in range(expr.rows)]
        return r"\begin{bmatrix}" + r" \\[1.5ex] ".join(rows) + r"\end{bmatrix}"

    _print_ImmutableDenseMatrix = _print_MatrixBase

    def _print_Mul(self, expr):
        if not expr.is_Mul:  # SymPy's _print_Pow hands 1/x over as a product
            return super()._print_Mul(expr)
        negative, factors = arranged(expr, self._targets)
        sums = [f for f in factors if isinstance(f, sp.Sum)]
        split = coefficient_first(factors)
        if len(sums) == 1 and len(factors) > 1:
            # c·Σ_i f_i as "c Σ_i f_i", not a fraction over the sum: the sum stays readable and breakable
            rest = [f for f in factors if f is not sums[0]]
            body = self._mul(rest) + " " + self._print(sums[0])
        elif split:  # \frac{n}{2} \log(2π), not \frac{n \log(2π)}{2}
            coefficient = self._mul(split[0])
            if self._settings["fold_short_frac"] and "/" in coefficient:
                coefficient = r"\left(%s\right)" % coefficient
            body = coefficient + " " + self._mul(split[1])
        else:
            body = self._mul(factors)
        return ("- " + body) if negative else body

    def _mul(self, factors) -> str:
        if not factors:
            return "1"
        if len(factors) == 1:
            only = factors[0]
            text = self._print(only)
            return r"\left(%s\right)" % text if only.is_Add else text
        order = self._settings["order"]
        self._settings["order"] = "none"
        try:
            return super()._print_Mul(sp.Mul(*factors, evaluate=False))
        finally:
            self._settings["order"] = order

    def _print_Transpose(self, expr):
        return r"%s^{\top}" % self.parenthesize(expr.arg, PRECEDENCE["Pow"])

    def _print_Product(self, expr):
        return self._big(r"\prod", expr) if len(expr.limits) > 1 else super()._print_Product(expr)

    def _print_Sum(self, expr):
        return self._big(r"\sum", expr) if len(expr.limits) > 1 else super()._print_Sum(expr)

    def _big(self, sign: str, expr) -> str:
        """Σ or ∏ over several indices as nested signs, the outermost first (∏_{i=1}^n ∏_{k=1}^K), as a textbook
        writes a sample's product over classes — not one sign over 1 ≤ k ≤ K, 1 ≤ i ≤ n."""
        heads = "".join(r"%s_{%s=%s}^{%s} " % ((sign,) + tuple(self._print(v) for v in limit))
                        for limit in reversed(expr.limits))
        body = self._print(expr.function)
        return heads + (r"\left(%s\right)" % body if expr.function.is_Add else body)

    def _print_Identity(self, expr):
        return "I"

    def _print_MatAdd(self, expr):
        """XᵀX + λI: the product of the data matrices first, then the scaled identity."""
        terms = sorted(expr.args, key=lambda t: t.has(sp.Identity))
        return " + ".join(self._print(t) for t in terms)

    def _print_exp(self, expr, exp=None):
        if big_exponent(expr.args[0]):
            return self._do_exponent(r"\exp\left(%s\right)" % self._print(expr.args[0]), exp)
        return super()._print_ExpBase(expr, exp)

    def _print_log(self, expr, exp=None):
        arg = expr.args[0]
        tex = r"\log %s" % self._print(arg) if simple_argument(arg) else r"\log\left(%s\right)" % self._print(arg)
        return tex if exp is None else r"\left(%s\right)^{%s}" % (tex, exp)

    def _print_Abs(self, expr, exp=None):
        tex = r"\left|%s\right|" % self._print(observed_first(expr.args[0]))
        return tex if exp is None else r"%s^{%s}" % (tex, exp)

    def _print_sign(self, expr, exp=None):
        tex = r"\operatorname{sgn}\left(%s\right)" % self._print(expr.args[0])
        return tex if exp is None else r"%s^{%s}" % (tex, exp)

    def _print_beta(self, expr, exp=None):
        tex = r"\mathrm{B}\left(%s, %s\right)" % (self._print(expr.args[0]), self._print(expr.args[1]))
        return tex if exp is None else r"%s^{%s}" % (tex, exp)

    def _print_loggamma(self, expr, exp=None):
        tex = r"\log \Gamma\left(%s\right)" % self._print(expr.args[0])
        return tex if exp is None else r"\left(%s\right)^{%s}" % (tex, exp)


def matrix_parts(expr) -> tuple:
    """(scalar, matrices) of a matrix product: its scalar factors as one expression (σ²/τ², not σ²·τ⁻²·I)."""
    scalars = [a for a in expr.args if not getattr(a, "is_Matrix", False)]
    return sp.Mul(*scalars), [a for a in expr.args if getattr(a, "is_Matrix", False)]


def matrix_terms(expr) -> list:
    """The terms of a matrix sum as a textbook writes them: XᵀX + λI, the identity's term last."""
    return sorted(expr.args, key=lambda t: t.has(sp.Identity))


# -- the terminal's 2-D art ---------------------------------------------------------------------

class TextbookPrettyPrinter(TextbookOrder, PrettyPrinter):
    """SymPy's pretty printer with the textbook settings, minus one cold-start cost.

    ``PrettyPrinter._print_Mul`` imports ``sympy.physics.units`` (about 0.2 s on a cold start)
    only to move physical-unit factors to the end of a product. A derivation has no units, so
    products are split into numerator and denominator here.
    """

    def __init__(self, settings=None):
        super().__init__(settings)
        self._targets = TARGETS

    def _print_Symbol(self, e, bold_name=False):
        from sympy.printing.pretty.pretty_symbology import pretty_symbol
        from sympy.printing.pretty.stringpict import prettyForm

        from ..symbolic import comma_subscript

        split = comma_subscript(e.name)
        if split is None:
            return super()._print_Symbol(e, bold_name)
        base, parts = split
        return prettyForm(pretty_symbol(base) + "_" + ",".join(pretty_symbol(p) for p in parts))

    def _print_Mul(self, product):
        if not product.is_Mul:
            return super()._print_Mul(product)
        negative, factors = arranged(product, self._targets)
        sums = [f for f in factors if isinstance(f, sp.Sum)]
        if len(sums) == 1 and len(factors) > 1:  # (1/n)·Σ_i (…), as the LaTeX writes it: not one fraction over Σ
            rest = sp.Mul(*[f for f in factors if f is not sums[0]])
            form = prettyForm.__mul__(self._print(rest), self._print(sums[0]))
            return prettyForm(*form.left("- "), binding=prettyForm.NEG) if negative else form
        top, bottom = [], []
        for f in factors:
            if f.is_commutative and f.is_Pow and f.exp.is_Rational and f.exp.is_negative:
                bottom.append(sp.Pow(f.base, -f.exp, evaluate=f.exp == -1))
            elif f.is_Rational and f is not sp.S.Infinity:
                top += [sp.Integer(f.p)] if f.p != 1 else []
                bottom += [sp.Integer(f.q)] if f.q != 1 else []
            else:
                top.append(f)
        form = self._product(top or [sp.S.One])
        if bottom:
            form = form / self._product(bottom)
        if negative:
            form = prettyForm(*form.left("- " if form.height() > 1 else "-"), binding=prettyForm.NEG)
        return form

    def _product(self, factors):
        return prettyForm.__mul__(*[self._print(f) for f in factors])  # a sum among factors gets its parentheses

    def _print_exp(self, e):
        if big_exponent(e.args[0]):
            return self._print_Function(e, func_name="exp")
        return super()._print_ExpBase(e)

    def _print_loggamma(self, e):
        return self._print_Function(e, func_name="log Γ" if self._use_unicode else "log Gamma")

    def _print_Identity(self, expr):
        return prettyForm("I")

    def _print_MatAdd(self, expr):
        terms = [self._print(t) for t in matrix_terms(expr)]
        return prettyForm.__add__(*terms)

    def _print_MatMul(self, expr):
        scalar, matrices = matrix_parts(expr)
        parts = ([self._print(scalar)] if scalar != 1 else []) + [
            prettyForm(*self._print(m).parens()) if isinstance(m, sp.MatAdd) else self._print(m) for m in matrices]
        out = parts[0]
        for part in parts[1:]:  # XᵀX, λI: juxtaposed, as a textbook writes a matrix product
            out = prettyForm(*out.right(part))
        return out

    def _print_Abs(self, e):
        return super()._print_Abs(sp.Abs(observed_first(e.args[0]), evaluate=False))

    def _print_sign(self, e):
        return self._print_Function(e, func_name="sgn")

    def _print_Min(self, e):  # min(1, y), max(1, y): lower case, as a textbook writes them
        return self._print_Function(e, func_name=type(e).__name__.lower())

    _print_Max = _print_Min

    def _print_log(self, e):
        if simple_argument(e.args[0]):  # log σ(η_i), log y_i!, log 2: no parentheses
            form = self._print(e.args[0])
            return prettyForm(*form.left("log "), binding=prettyForm.FUNC)
        return self._print_Function(e)
