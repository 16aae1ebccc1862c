"""SymPy building blocks shared by families, links, the pipeline and the verifier: every symbol is named here, so
every module agrees on what ``y_i``, ``eta_i`` and ``n`` are and on their assumptions (what lets log(exp(x)) simplify)."""
from __future__ import annotations

import math

import sympy as sp
from sympy.printing.precedence import PRECEDENCE
from sympy.printing.str import StrPrinter

from .subscripts import comma_subscript, indexed_name  # noqa: F401  (S.indexed_name, S.comma_subscript)

# The observation index and the sample size.
i = sp.Idx("i")
n = sp.Symbol("n", integer=True, positive=True)

# Class index (one-hot outcomes), its dummy for inner sums, and the class count.
k = sp.Idx("k")
j = sp.Idx("j")
K = sp.Symbol("K", integer=True, positive=True)

# Targets and linear predictors, indexed by observation (and class).
y = sp.IndexedBase("y", real=True)
eta = sp.IndexedBase("eta", real=True)
x = sp.IndexedBase("x", real=True)

# The weights θ_1 … θ_d (a prior on them gives MAP): θ_j, and the parameter count d.
weights = sp.IndexedBase("theta", real=True)
d = sp.Symbol("d", integer=True, positive=True)
#: the design matrix of a linear predictor (rows x_iᵀ = ∂η_i/∂θ) and the target vector, for closed forms
design = sp.MatrixSymbol("X", n, d)
targets = sp.MatrixSymbol("y", n, 1)

# The prediction ŷ_i (ŷ_ik) in a named loss's textbook form, e.g. (y_i − ŷ_i)².
yhat = sp.IndexedBase("yhat", real=True)

# Scalar stand-ins for one observation (the JSON "observation" block).
y0 = sp.Symbol("y", real=True)
eta0 = sp.Symbol("eta", real=True)
mu0 = sp.Symbol("mu", real=True)


class NamedFunction(sp.Function):
    """A function kept by its textbook name (σ, Φ, φ, softmax), so derivations read like the textbook.

    SymPy differentiates it through ``fdiff``; :func:`expand_functions` rewrites it into
    elementary functions (``elementary``) before the verifier proves anything, and every
    printer shows it by name: ``_latex`` / ``_pretty`` / ``_sympystr`` here, MathML and the
    prose printer in :mod:`mlederive.render.printing`.
    """

    #: how it is written: unicode (terminal, prose), LaTeX, plain ASCII (sstr)
    unicode_name = ""
    latex_name = ""
    ascii_name = ""
    #: its value at 0, where it has a simple one (σ(0) = Φ(0) = ½)
    at_zero = None
    nargs = 1  # (eval takes *args; without this SymPy would take any number, and order products differently)

    @classmethod
    def eval(cls, *args):
        if cls.at_zero is not None and args[-1].is_zero:
            return cls.at_zero
        return None

    def elementary(self) -> sp.Expr:
        raise NotImplementedError

    def _eval_rewrite_as_exp(self, *args, **kwargs):
        return self.elementary()

    def _eval_evalf(self, prec):
        return self.elementary()._eval_evalf(prec)

    def _eval_is_real(self):
        return self.args[-1].is_real

    def _eval_is_positive(self):  # σ, Φ and φ are positive on the real line
        return True if self.args[-1].is_real else None

    def _eval_is_extended_negative(self):
        return False if self.args[-1].is_real else None

    def _latex(self, printer, exp=None):
        base = r"%s\left(%s\right)" % (self.latex_name, printer._print(self.args[-1]))
        return base if exp is None else r"%s^{%s}" % (base, exp)

    def _sympystr(self, printer):
        return "%s(%s)" % (self.ascii_name, printer._print(self.args[-1]))

    def _pretty(self, printer):
        from sympy.printing.pretty.stringpict import prettyForm

        arg = prettyForm(*printer._print(self.args[-1]).parens())
        return prettyForm(*arg.left(self.unicode_name if printer._use_unicode else self.ascii_name))


class sigmoid(NamedFunction):
    r"""The logistic function :math:`\sigma(z) = 1 / (1 + e^{-z})`, the logit link's inverse."""

    at_zero = sp.S.Half
    unicode_name, latex_name, ascii_name = "σ", r"\sigma", "sigmoid"

    def fdiff(self, argindex=1):
        s = sigmoid(self.args[0])
        return s * (1 - s)

    def elementary(self):
        return 1 / (1 + sp.exp(-self.args[0]))


class Phi(NamedFunction):
    r"""The standard normal CDF :math:`\Phi(z) = \tfrac12 (1 + \operatorname{erf}(z/\sqrt2))`, the probit link's inverse."""

    at_zero = sp.S.Half
    unicode_name, latex_name, ascii_name = "Φ", r"\Phi", "Phi"

    def fdiff(self, argindex=1):
        return phi(self.args[0])

    def elementary(self):
        return (1 + sp.erf(self.args[0] / sp.sqrt(2))) / 2


class phi(NamedFunction):
    r"""The standard normal density :math:`\varphi(z) = e^{-z^2/2}/\sqrt{2\pi}`, Φ's derivative."""

    unicode_name, latex_name, ascii_name = "φ", r"\varphi", "phi"

    def fdiff(self, argindex=1):
        return -self.args[0] * phi(self.args[0])

    def elementary(self):
        return sp.exp(-self.args[0] ** 2 / 2) / sp.sqrt(2 * sp.pi)


class softmax(NamedFunction):
    r"""Component ``k`` of the softmax of observation ``i``'s logits: :math:`e^{\eta_{ik}} / \sum_j e^{\eta_{ij}}`.

    ``softmax(eta, i, k)``. A display name only: it is never differentiated (its arguments are
    indices, not the logits), so it appears in display forms that the verifier proves equal to
    the working form, where the softmax is written out.
    """

    unicode_name, latex_name, ascii_name = "softmax", r"\operatorname{softmax}", "softmax"
    nargs = 3

    def elementary(self):
        base, obs, cls = self.args
        return sp.exp(base[obs, cls]) / sp.Sum(sp.exp(base[obs, j]), (j, 1, K))

    def fdiff(self, argindex=1):
        raise TypeError("softmax(eta, i, k) is a display name: differentiate its elementary form")

    def _eval_is_real(self):
        return True

    def _latex(self, printer, exp=None):
        base, obs, cls = self.args
        tex = r"\operatorname{softmax}_{%s}\left(\boldsymbol{%s}_{%s}\right)" % (
            printer._print(cls), printer._print(sp.Symbol(base.label.name)), printer._print(obs))
        return tex if exp is None else r"%s^{%s}" % (tex, exp)

    def _sympystr(self, printer):
        base, obs, cls = self.args
        return "softmax_%s(%s_%s)" % (printer._print(cls), base.label.name, printer._print(obs))

    def _pretty(self, printer):
        from sympy.printing.pretty.stringpict import prettyForm

        base, obs, cls = self.args
        inner = printer._print(sp.Symbol("%s_%s" % (base.label.name, obs)))
        return prettyForm(*prettyForm(*inner.parens()).left("softmax_%s" % printer._print(cls)))


NAMED_FUNCTIONS = (sigmoid, Phi, phi, softmax)


def expand_functions(expr: sp.Expr) -> sp.Expr:
    """Rewrite our named functions (σ, Φ, φ, softmax, the stable primitives) into exp, erf and sums so SymPy can
    reason."""
    while isinstance(expr, sp.Basic) and expr.has(NamedFunction):  # ours and mlederive.primitives'
        expr = expr.replace(lambda e: isinstance(e, NamedFunction), lambda e: e.elementary())
    return expr


# -- display forms: the order a textbook writes an expression in --------------------------------
#
# A display form is an expression built so that SymPy's evaluation does not rearrange it
# (1/(σ√(2π)) · exp(…) rather than √2·exp(…)/(2√π·σ)). It is only ever shown: the verifier
# proves it equal to the working form (mlederive.verification.claims.display_claims).

def leading(factor: sp.Expr, rest: sp.Expr) -> sp.Expr:
    """``factor · rest`` with ``factor`` printed first, as its own fraction: 1/(σ√(2π)) · exp(…)."""
    return sp.Mul(sp.UnevaluatedExpr(factor), rest, evaluate=False)


def held(base: sp.Expr, exponent: sp.Expr) -> sp.Expr:
    """``base**exponent`` as written: (k/μ)^k, not k^k·μ^(−k)."""
    return sp.Pow(base, exponent, evaluate=False)


def reciprocal(expr: sp.Expr) -> sp.Expr:
    """1/expr as written (SymPy would split 1/(σ√(2π)) into √2/(2√π·σ))."""
    return sp.Pow(expr, -1, evaluate=False)


def held_product(*factors) -> sp.Expr:
    """A product as written (σ√(2π), 2πy³): SymPy would merge and reorder its factors."""
    return sp.Mul(*factors, evaluate=False)


def evaluated(expr: sp.Expr) -> sp.Expr:
    """A display form with SymPy's evaluation done again: the plain expression it stands for."""
    if isinstance(expr, sp.UnevaluatedExpr):
        return evaluated(expr.args[0])
    if not isinstance(expr, sp.Basic) or not expr.args or isinstance(expr, (sp.Idx, sp.IndexedBase)):
        return expr
    return expr.func(*[evaluated(a) for a in expr.args])


def substitute_held(expr: sp.Expr, mapping: dict) -> sp.Expr:
    """``expr.xreplace(mapping)`` without re-evaluating the sums, products and powers above what is replaced
    (a display form stays as written); functions, Σ and Π are rebuilt as usual."""
    if expr in mapping:
        return mapping[expr]
    if not isinstance(expr, sp.Basic) or not expr.args or isinstance(expr, (sp.Idx, sp.IndexedBase)):
        return expr
    args = [substitute_held(a, mapping) for a in expr.args]
    if all(a is b for a, b in zip(args, expr.args)):
        return expr
    if isinstance(expr, (sp.Add, sp.Mul, sp.Pow)):
        return expr.func(*args, evaluate=False)
    return expr.func(*args)


def indexed_by(expr: sp.Expr, index: sp.Idx) -> bool:
    """True when ``expr`` mentions ``index`` (as an Indexed subscript or a Sum limit)."""
    return expr.has(index)


def sample_sum(summand: sp.Expr, index: sp.Idx = i, size: sp.Expr = n) -> sp.Expr:
    r"""Display :math:`\sum_{i=1}^n s_i` the way a textbook writes it.

    Terms of the summand that do not depend on ``i`` come out of the sum
    multiplied by ``n``; the i-dependent rest stays in one sum with its
    i-free factor in front (``-1/(2σ²) Σ (y_i - η_i)²``).
    """
    summand = sp.expand(summand, deep=False, multinomial=False, power_exp=False, power_base=False, log=False)
    free, dependent = [], []
    for term in sp.Add.make_args(summand):
        (dependent if indexed_by(term, index) else free).append(term)
    result = sp.Add(*[size * t for t in free])
    if dependent:
        # one term is split as it stands (factor_terms would rewrite (Φ − y)/Φ as 1 − y/Φ inside it)
        together = dependent[0] if len(dependent) == 1 else sp.factor_terms(sp.Add(*dependent))
        coeff, rest = together.as_independent(index, as_Add=False)
        if coeff.could_extract_minus_sign() and not all(t.could_extract_minus_sign() for t in dependent):
            # a mixed-sign sum reads better with its own signs than as −Σ(…)
            coeff, rest = -coeff, -rest
        elif not rest.is_Add and rest.could_extract_minus_sign():  # −c·Σ log(…), not c·Σ −log(…)
            coeff, rest = -coeff, -rest
        coeff = sp.factor_terms(coeff)  # (ν + 1)/2, not ν/2 + 1/2
        result += coeff * sp.Sum(rest, (index, 1, size))
    return result


def to_summand(expr: sp.Expr, index: sp.Idx = i, size: sp.Expr = n) -> sp.Expr:
    r"""The inverse of :func:`sample_sum`: ``s`` such that ``expr == Σ_{i=1}^n s``.

    Uses only linearity of the sum (``c Σ f = Σ c f`` for i-free c, and
    ``t = Σ t/n`` for i-free t), so the result is equal to the input by
    construction. Raises ValueError for shapes that are not a sum over ``i``.
    """
    parts = []
    for term in sp.Add.make_args(distribute(expr)):
        coeff, rest = term.as_independent(sp.Sum, as_Add=False)
        if isinstance(rest, sp.Sum) and rest.limits[-1][0] != index and rest.limits[-1][1:] == (1, size) \
                and not indexed_by(rest, index):
            rest = _rename_bound(rest, index)  # Σ_l f(l) is Σ_i f(i): the bound index's name means nothing
        if isinstance(rest, sp.Sum) and rest.limits[-1][0] == index:
            if rest.limits[-1][1:] != (1, size):
                raise ValueError("sum over %s must run from 1 to %s" % (index, size))
            if indexed_by(coeff, index):
                raise ValueError("factor in front of the sum depends on %s" % index)
            parts.append(coeff * _peel_outer(rest))
        elif not indexed_by(term, index):
            parts.append(term / size)
        else:
            raise ValueError("term %s is not a sum over %s" % (term, index))
    return sp.Add(*parts)


def distribute(expr: sp.Expr) -> sp.Expr:
    """Multiply out products over sums, at every level, until each term holds at most one sum of terms.

    (Σa + Σb)/n → Σa/n + Σb/n and c·(Σa + d·(Σb + e)) → c·Σa + c·d·Σb + c·d·e; nothing inside a
    function, a power or a Sum is touched (no multinomials, no logs split).
    """
    if expr.is_Add:
        return sp.Add(*[distribute(a) for a in expr.args])
    if expr.is_Mul and any(a.is_Add for a in expr.args):
        spread = sp.expand_mul(expr, deep=False)
        return spread if spread == expr else distribute(spread)
    return expr


def _rename_bound(total: sp.Sum, index) -> sp.Sum:
    """The same sum with its outermost bound variable called ``index``."""
    var, lo, hi = total.limits[-1]
    return type(total)(total.function.xreplace({var: index}), *total.limits[:-1], (index, lo, hi))


def _peel_outer(expr):
    """Drop the outermost limit of a Sum/Product (SymPy merges nested ones into one object)."""
    inner = expr.limits[:-1]
    return type(expr)(expr.function, *inner) if inner else expr.function


def to_factor(expr: sp.Expr, index: sp.Idx = i, size: sp.Expr = n) -> sp.Expr:
    """``f`` such that ``expr == Π_{i=1}^n f`` (a single Product over ``index``)."""
    if isinstance(expr, sp.Product) and expr.limits[-1][1:] == (1, size) and not indexed_by(expr, index):
        expr = _rename_bound(expr, index)
    if isinstance(expr, sp.Product) and expr.limits[-1] == (index, 1, size):
        return _peel_outer(expr)
    if expr.is_Mul or expr.is_Pow:  # Πa·Πb = Π(a·b), c·Πa = Π(c^{1/n}·a), (Πa)^k = Π a^k
        base, power = (expr.base, expr.exp) if expr.is_Pow else (None, None)
        if base is not None:
            if indexed_by(power, index):
                raise ValueError("the power of a product depends on %s" % index)
            return to_factor(base, index, size) ** power
        factors = []
        for f in expr.args:
            if isinstance(f, sp.Product) or (f.is_Pow and isinstance(f.base, sp.Product)):
                factors.append(to_factor(f, index, size))
            elif indexed_by(f, index):
                raise ValueError("factor %s is not a product over %s" % (f, index))
            else:
                factors.append(f ** (1 / size))
        return sp.Mul(*factors)
    raise ValueError("expected a product over %s" % index)


def write_out(expr: sp.Expr) -> sp.Expr:
    """Write every Sum/Product with integer limits out term by term (innermost first).

    A direct substitution of the index: much cheaper than ``doit()``, which
    first looks for closed-form summation formulas.
    """
    if not expr.args:
        return expr
    if isinstance(expr, (sp.Sum, sp.Product)):
        body = write_out(expr.function)
        if not all(lo.is_Integer and hi.is_Integer for _, lo, hi in expr.limits):
            return expr.func(body, *expr.limits)
        for var, lo, hi in expr.limits:  # the first limit is the innermost
            terms = [body.xreplace({var: sp.Integer(v)}) for v in range(int(lo), int(hi) + 1)]
            body = sp.Add(*terms) if isinstance(expr, sp.Sum) else sp.Mul(*terms)
        return body
    args = [write_out(a) for a in expr.args]
    if all(a is b for a, b in zip(args, expr.args)):
        return expr
    return expr.func(*args)


def observation_view(expr: sp.Expr) -> sp.Expr:
    """Rewrite ``y[i]``/``eta[i]`` as the plain symbols ``y``/``eta`` (one observation)."""
    return expr.subs({y[i]: y0, eta[i]: eta0})


def tidy_constants(expr: sp.Expr, keep: tuple = ()) -> sp.Expr:
    """Merge logs of pure numbers that share a coefficient: ``-log2/2 - logπ/2 → -log(2π)/2``.

    Terms that mention any symbol in ``keep`` (or any symbol at all, when the
    terms are not all numeric) are left alone, so θ-dependent terms never merge
    with constants.
    """
    groups: dict = {}
    others = []
    for term in sp.Add.make_args(expr):
        coeff, rest = term.as_independent(sp.log, as_Add=False)
        if (
            isinstance(rest, sp.log)
            and coeff.is_Rational
            and not (rest.free_symbols & set(keep))
            and not any(isinstance(s, sp.Indexed) for s in rest.atoms(sp.Indexed))
        ):
            groups.setdefault(coeff, []).append(rest.args[0])
        else:
            others.append(term)
    merged = [c * sp.log(sp.Mul(*args)) for c, args in groups.items()]
    return sp.Add(*others, *merged)


_GREEK = {"sigma": "σ", "eta": "η", "mu": "μ", "theta": "θ", "pi": "π", "sigmoid": "σ", "tau": "τ", "lambda": "λ"}
_SUPERSCRIPTS = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


class _InlinePrinter(StrPrinter):
    """sstr, but sums and products as Σ_i (…) / Π_i (…) rather than Sum(…, (i, 1, n)); e for Euler's number, the
    positive terms of a sum first and a minus sign, not a hyphen: log(e − 1), not log(-1 + E)."""

    def _print_Exp1(self, expr):
        return "e"

    def _print_Add(self, expr, order=None):
        terms = list(expr.as_ordered_terms())
        terms = [t for t in terms if not t.could_extract_minus_sign()] + \
            [t for t in terms if t.could_extract_minus_sign()]
        out = ""
        for n, term in enumerate(terms):
            negative = term.could_extract_minus_sign()
            text = self.parenthesize(-term if negative else term, PRECEDENCE["Add"])
            out += ("−" if negative else "") + text if n == 0 else (" − " if negative else " + ") + text
        return out

    def _print_Abs(self, expr):
        return "|%s|" % self._print(expr.args[0])

    def _print_Pow(self, expr, rational=False):  # √2, √(2π): not sqrt(2)
        if expr.exp is not sp.S.Half:
            return super()._print_Pow(expr, rational)
        return "√" + (self._print(expr.base) if expr.base.is_Atom else "(%s)" % self._print(expr.base))

    def _print_Min(self, expr):  # min(a, b) and max(a, b), as a reader writes them
        return "%s(%s)" % (type(expr).__name__.lower(), ", ".join(self._print(a) for a in expr.args))
    _print_Max = _print_Min

    def _print_Sum(self, expr):  # Σ_i (…), and Π_i (…) for a Product
        sign = "Σ" if isinstance(expr, sp.Sum) else "Π"
        body = self._print(expr.function)
        if expr.function.is_Add:
            body = "(%s)" % body
        heads = "".join("%s_%s" % (sign, self._print(var)) for var, _, _ in reversed(expr.limits))
        return "%s %s" % (heads, body)

    _print_Product = _print_Sum


def partial_latex(numerator: str, symbol: sp.Symbol) -> str:
    """∂numerator/∂symbol in LaTeX, the symbol typeset by SymPy's printer (never by string pasting)."""
    return r"\frac{\partial %s}{\partial %s}" % (numerator, sp.latex(symbol))


def inline(expr: sp.Expr) -> str:
    """A compact one-line form for prose: ``2σ²/n``, ``η_i``, ``μ_i·(1 - μ_i)``, ``Σ_j exp(η_ij)``."""
    import re

    if expr == sp.S.Reals:
        return "ℝ"
    if isinstance(expr, sp.Interval):  # (0, 1), [0, ∞), [−π, π]
        ends = [("∞" if e == sp.oo else "−∞" if e == -sp.oo else inline(e).replace("-", "−")) for e in expr.args[:2]]
        return "%s%s, %s%s" % ("(" if expr.left_open else "[", ends[0], ends[1], ")" if expr.right_open else "]")
    from .indicators import show_indicators

    expr = show_indicators(expr)
    plain = {a: sp.Symbol(indexed_name(a)) for a in expr.atoms(sp.Indexed)}
    text = _InlinePrinter().doprint(expr.xreplace(plain) if plain else expr)
    text = re.sub(r"\b(%s)\b" % "|".join(_GREEK), lambda m: _GREEK[m.group(1)], text)
    text = re.sub(r"\b(%s)(?=_)" % "|".join(_GREEK), lambda m: _GREEK[m.group(1)], text)
    text = re.sub(r"(?<=_)(%s)(?=,)" % "|".join(_GREEK), lambda m: _GREEK[m.group(1)], text)
    text = re.sub(r"\*\*(\d+)", lambda m: m.group(1).translate(_SUPERSCRIPTS), text)
    return text.replace("**", "^").replace("*", "·")


def sample_point(region: sp.Set, rng, wide: bool = False) -> float:
    """A random point of ``region`` (a support or a mean domain), for numeric checks.

    Usually kept away from the edges, where densities and links blow up: 5 % of a bounded
    interval's width, 0.2 above (below) a one-sided bound, at most 4 beyond it; the whole line
    in (−3, 3), counts in {0, …, 7}, a finite set uniformly. With ``wide`` the rest of the domain:
    counts up to 10⁷, scales from 10⁻⁶ to 10⁶ (log-uniform), the line heavy-tailed to ±10³, a bounded
    interval up to 10⁻⁶ from either end — so a term that only shows far out is seen.
    """
    if isinstance(region, sp.FiniteSet):
        return float(rng.choice(sorted(region.args)))
    if isinstance(region, sp.Union):
        return sample_point(rng.choice(region.args), rng, wide)
    if region in (sp.S.Naturals0, sp.S.Naturals):
        lowest = 0 if region == sp.S.Naturals0 else 1
        return float(int(math.exp(rng.uniform(math.log(8), math.log(10 ** 7)))) if wide else rng.randint(lowest, 7))
    if region == sp.S.Reals:  # far out: heavy-tailed, to ±10³
        return rng.choice((-1, 1)) * math.exp(rng.uniform(0, math.log(10 ** 3))) if wide else rng.uniform(-3, 3)
    if isinstance(region, sp.Interval):
        lo, hi = region.start, region.end
        if lo.is_finite and hi.is_finite:
            lo, hi = float(lo), float(hi)
            if wide:
                gap = (hi - lo) * 10 ** -rng.uniform(1.3, 6)
                return lo + gap if rng.random() < 0.5 else hi - gap
            margin = (hi - lo) / 20
            return rng.uniform(lo + margin, hi - margin)
        away = math.exp(rng.uniform(math.log(1e-6), math.log(1e6))) if wide else rng.uniform(0.2, 4)
        if lo.is_finite:
            return float(lo) + away
        if hi.is_finite:
            return float(hi) - away
        return rng.choice((-1, 1)) * math.exp(rng.uniform(0, math.log(10 ** 3))) if wide else rng.uniform(-3, 3)
    raise ValueError("cannot sample from %s: declare sample_y/sample_mean for it" % region)
