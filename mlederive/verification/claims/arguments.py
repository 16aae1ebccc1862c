"""Claims of the articles' arguments: documents without a model.

Their steps state their facts in the payload (the expression a step is derived from,
concrete sizes, replacements, printed decimals); each builder turns them into claims,
exactly as for derivations, and the same prover decides.
"""
from __future__ import annotations

import math

import sympy as sp

from ... import symbolic as S
from ...budget import time_budget
from ...limits import limit
from ...quadrature import quadrature
from ..prover import CLAIM_BUDGET
from .registry import Malformed, claims


def _concrete(expr, concrete):
    """Fix the step's stated concrete sizes (K, n) and sample values, writing sums out in between."""
    if concrete:
        expr = expr.subs(concrete)
    if expr.has(sp.Sum, sp.Product):
        expr = S.write_out(expr)
    return expr.subs(concrete) if concrete else expr


def _one_sum(expr):
    """Σ_j c_j·Sum(f_j, L) with one set of limits L → the summand Σ_j c_j·f_j (None if not of that form)."""
    limits, body = None, []
    for term in sp.Add.make_args(sp.expand(expr)):
        coeff, sums = sp.S.One, []
        for factor in sp.Mul.make_args(term):
            if isinstance(factor, sp.Sum):
                sums.append(factor)
            else:
                coeff *= factor
        if len(sums) != 1:
            return None
        if limits is None:
            limits = sums[0].limits
        if sums[0].limits != limits or any(coeff.has(v) for v, _, _ in limits):
            return None
        body.append(coeff * sums[0].function)
    return sp.Add(*body) if limits is not None else None


def _by_observation(expr, count, outcome, limits):
    """``expr`` with every Σ_{k=1}^K f(k)·c_k written Σ_i f(y_i): each observation y_i = k adds f(k) once, and c_k is
    how many do (every y_i one of 1…K). Terms without exactly one factor c_k stay as they are."""
    base, index = count.base, limits[0]

    def regroup(total):
        var, lo, hi = total.limits[0]
        if len(total.limits) != 1 or lo != 1:
            return total
        kept, out = [], []
        for term in sp.Add.make_args(sp.expand(total.function)):
            factors = sp.Mul.make_args(term)
            if factors.count(base[var]) != 1 or (term / base[var]).has(base):
                kept.append(term)
                continue
            free, rest = (term / base[var]).as_independent(var, as_Add=False)
            out.append(free * sp.Sum(rest.xreplace({var: outcome}), limits))
        return sp.Add(*out) + (sp.Sum(sp.Add(*kept), total.limits[0]) if kept else 0)

    if not outcome.has(index):
        raise Malformed("the counted outcome y_i is indexed by the observations' index %s" % index)
    if any(index in s.variables for s in expr.atoms(sp.Sum) if s.has(base)):  # Σ_i Σ_k c_k·g(x_i) would capture i
        raise Malformed("the counts' sum lies inside a sum over %s, the observations' index" % index)
    return expr.replace(lambda e: isinstance(e, sp.Sum) and e.has(base), regroup)


def _limits(expr):
    return next(iter(expr.atoms(sp.Sum))).limits


@claims("equal", on="plain")
def _equal(cx):
    # "equals": the step equals an expression built from its reference (e.g. (1/N)·log of it), shown in its lhs
    pl = cx.payload
    diff = cx.step.expr - (pl.equals if pl.equals is not None else cx.ref.expr)
    if pl.outcomes is not None:
        var, values = pl.outcomes
        for value in values:
            cx.zero(diff.xreplace({var: value}), "equal at %s = %s" % (var, value))
        return
    if pl.counts is not None:
        cx.zero(_by_observation(diff, *pl.counts), "equal for every n, K and sample: Σ_k f(k)·c_k = Σ_i f(y_i)")
        return
    if pl.concrete is None:
        cx.zero(diff, "equal")
        return
    one = _one_sum(diff) if not pl.sample else None
    if one is not None:  # provable for a symbolic size: one sum, so its summand must vanish
        cx.zero(one, "equal summand by summand (any %s)" % ", ".join(str(hi) for _, _, hi in _limits(diff)))
        return
    where = ", ".join("%s = %s" % (k, v) for k, v in pl.concrete.items() if isinstance(k, sp.Symbol))
    cx.zero(_concrete(diff, pl.concrete), "equal at %s" % where)


def _sift(expr):
    """Σ_{l=1}^{L} δ_kl·g(l) → g(k): the derivative of a sum over l in one term's variable η_k (k an index of the same
    range, one of 1…L); terms without that δ stay summed."""
    def one(total):
        (var, lo, hi), = total.limits if len(total.limits) == 1 else ((None, None, None),)
        if var is None or lo != 1:
            return total
        kept, out = [], []
        for term in sp.Add.make_args(sp.expand(total.function)):
            deltas = [d for d in sp.Mul.make_args(term) if isinstance(d, sp.KroneckerDelta) and var in d.args
                      and all(isinstance(a, sp.Idx) for a in d.args)]
            if len(deltas) != 1:
                kept.append(term)
                continue
            other = next(a for a in deltas[0].args if a != var)
            out.append((term / deltas[0]).xreplace({var: other}))
        return sp.Add(*out) + (sp.Sum(sp.Add(*kept), (var, lo, hi)) if kept else 0)

    return expr.replace(lambda e: isinstance(e, sp.Sum), one)


@claims("derivative", on="plain")
def _derivative(cx):
    pl = cx.payload
    function = pl.function if pl.function is not None else (cx.ref.expr if cx.ref is not None else None)
    claimed = cx.step.expr.subs(pl.view or {})  # e.g. ŷ written for σ(θx)
    cx.zero(claimed - _sift(sp.diff(function, pl.wrt)), "derivative by %s" % pl.wrt)


@claims("substitution", on="plain")
def _substitution(cx):
    # xreplace, not subs: the substitution may name a summation index (p[k] → c[k]/n inside Σ_k)
    pl = cx.payload
    cx.zero(_concrete(cx.step.expr - cx.ref.expr.xreplace(pl.subs), pl.concrete), "substitution")


@claims("constant-dropped", on="plain")
def _constant_dropped(cx):
    diff = cx.ref.expr - cx.step.expr
    for t in cx.payload.theta:
        cx.zero(sp.diff(diff, t).doit(), "difference free of %s" % t)


@claims("rescaled", on="plain")
def _rescaled(cx):
    """step = factor × reference, the factor stated (a doubled step is a rescaling too, but not of the stated
    factor: NLL = 2·n·H is no NLL), free of θ and positive."""
    factor = cx.payload.factor
    if factor is None:
        raise Malformed("a rescaling states its factor (factor=…)")
    cx.zero(cx.step.expr - factor * cx.ref.expr, "step = %s × the previous step" % S.inline(factor))
    for t in cx.payload.theta:
        cx.zero(sp.diff(factor, t), "factor free of %s" % t)
    cx.positive(factor, "factor positive")


@claims("negated", on="plain")
def _negated(cx):
    cx.zero(_concrete(cx.step.expr + cx.ref.expr, cx.payload.concrete), "negated")


@claims("limit", on="plain")
def _limit(cx):
    pl = cx.payload
    with time_budget(CLAIM_BUDGET):
        value = limit(pl.function, pl.var, pl.point)
    cx.zero(cx.step.expr - value, "limit as %s → %s" % (pl.var, pl.point))


@claims("evaluated", on="plain")
def _evaluated(cx):
    """The exact value equals the reference; each printed decimal (value, unit) matches it to 1e-12."""
    pl = cx.payload
    if pl.standalone:
        if pl.value_of is None:
            raise Malformed("a value that stands alone states what it is the value of (value_of=…)")
        cx.zero(cx.step.expr - pl.value_of.subs(pl.subs or {}), "the exact value is the stated formula's")
    elif cx.ref is not None:
        cx.zero(cx.step.expr - cx.ref.expr.subs(pl.subs or {}), "the exact value is the previous step's")
    for label, (value, unit) in pl.decimals.items():
        exact = float(sp.N(cx.step.expr / unit, 40))
        cx.fact(abs(exact - value) <= 1e-12 * (1 + abs(exact)), "%s printed as %r" % (label, value))


@claims("differs", on="plain")
def _differs(cx):
    if cx.payload.value_of is None:
        raise Malformed("a value that differs from another states what it is the value of (value_of=…)")
    cx.zero(cx.step.expr - cx.payload.value_of.subs(cx.payload.subs or {}), "the exact value is the stated formula's")
    gap = sp.N(cx.step.expr - cx.payload.other, 40)
    cx.fact(gap.is_number and abs(gap) > 1e-20, "differs from %s" % S.inline(cx.payload.other))


@claims("shift", on="plain")
def _shift(cx):
    """∫_ℝ f(y) dy = ∫_ℝ f(u + b) du: the step's integrand is the reference's at y = u + b, both over all of ℝ."""
    pl, ref, step = cx.payload, cx.ref.expr, cx.step.expr
    if not (isinstance(ref, sp.Integral) and isinstance(step, sp.Integral)):
        raise Malformed("a change of variable turns one integral into another")
    whole = (-sp.oo, sp.oo)
    (v, *a), (w, *b) = ref.limits[0], step.limits[0]
    if (v, w) != (pl.var, pl.new) or len(ref.limits) != 1 or len(step.limits) != 1:
        raise Malformed("the change of variable names the integrals' variables")
    cx.fact(tuple(a) == whole and tuple(b) == whole, "both integrals over all of ℝ (a shift keeps the limits)")
    cx.zero(ref.function.xreplace({v: w + pl.by}) - step.function, "integrand at %s = %s + %s"
            % (v, w, S.inline(pl.by)))


@claims("integrated", on="plain")
def _integrated(cx):
    """The closed form equals the integral (sum) of the reference: 30-digit quadrature at each stated point, to 1e-15
    relative — numeric, and said so; the closed form itself is SymPy's, so it is not checked against SymPy."""
    total = cx.ref.expr
    if not isinstance(total, (sp.Integral, sp.Sum)) or len(total.limits) != 1:
        raise Malformed("a closed form is of one integral or one sum over the outcome")
    tolerance = 1e-13 if cx.payload.numeric else 1e-15
    if cx.payload.numeric:  # finite: |f(u)| ≤ C/u² far out, f bounded (continuous) in between
        (v, *_), body = total.limits[0], S.expand_functions(total.function)
        for end in (sp.oo, -sp.oo):
            with time_budget(CLAIM_BUDGET):
                cx.zero(sp.limit(v ** 2 * body, v, end), "u²·integrand → 0 as %s → %s" % (v, end))
    for at in cx.payload.points:
        value = complex(sp.N(cx.step.expr.subs(at), 30))
        quad = complex(quadrature(total, at, cx.payload.breaks))
        where = ", ".join("%s = %s" % (k, v) for k, v in at.items()) or "the stated values"
        cx.fact(abs(value - quad) <= tolerance * (1 + abs(value)),
                "%s equals the quadrature at %s (%.12g)" % ("the value" if cx.payload.numeric else "closed form",
                                                            where, quad.real))


@claims("float64-underflow", on="plain")
def _float64_underflow(cx):
    if not cx.step.expr.is_Integer:
        raise Malformed("a count of factors is a whole number")
    p, n = float(cx.payload.p), int(cx.step.expr)
    cx.fact(math.prod([p] * n) == 0.0, "product of %d copies is 0.0" % n)
    cx.fact(n >= 1 and math.prod([p] * (n - 1)) > 0.0, "product of %d copies is > 0" % (n - 1))
