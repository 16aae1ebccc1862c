"""Claims about the K classes of a one-hot outcome, proved for every K ≥ 2 and every class k.

A claim about one observation is proved for every n because it is made on one term of Σ_i; a claim about the
classes is made the same way, on class k's term, with K and k left as symbols (``Model.every_class``). What
proves it are rules true for every K — no class is ever written out:

* **renaming**: a bound class index means nothing by its name, so each sum or product over the classes gets a
  canonical one by its depth (Σ_j e^{η_ij} and Σ_l e^{η_il} are one sum);
* **linearity**: Σ_v (a_v + b_v) = Σ_v a_v + Σ_v b_v; Σ_v c·a_v = c·Σ_v a_v for c free of v; Σ_v c = K·c;
* **Kronecker's delta**: Σ_{v=1}^K δ_{va}·h(v) = h(a) for a class a known to lie in 1…K: the class k of the
  claim, the index of an enclosing sum over the classes, and 1 and 2 (K ≥ 2);
* **one-hot targets**: Σ_{v=1}^K y_iv = 1;
* **logs**: log Π_v f_v = Σ_v log f_v where every f_v is proved positive, and the logs inside split only where
  their factors are (:func:`~mlederive.verification.positivity.split_logs`);
* **positivity**: a sum of positive terms over K ≥ 1 classes is positive, and Σ_v f_v = f_k + R with R > 0 (the
  K − 1 ≥ 1 other classes): softmax_k·(1 − softmax_k) > 0 is then a rational function of e^{η_ik} and R.

Where these do not decide a claim, the numeric check writes it out at every K from 2 to 8 (class k the first, the
last, the ones the claim names and one at random), and says so: a numeric verdict, never a proof.
"""
from __future__ import annotations

import sympy as sp

from .. import symbolic as S
from ..class_sums import CLASS_BOUND, canonical_classes, over_classes

#: the canonical bound index of a sum or product over the classes, by nesting depth (mlederive.symbolic)
BOUND = CLASS_BOUND
canonical = canonical_classes

#: the class counts a class claim the rules do not decide is written out at for the numeric check
CLASS_COUNTS = range(2, 9)


def symbolic(expr) -> bool:
    """The claim is about K classes, with K or the class k a symbol."""
    return isinstance(expr, sp.Basic) and expr.has(S.K, S.k, *BOUND)


_over_classes = over_classes


def class_normal(expr, rounds: int = 6):
    """``expr`` rewritten by the rules of this module until nothing changes (at most ``rounds`` times)."""
    from .positivity import split_logs

    expr = canonical(expr)
    for _ in range(rounds):
        new = canonical(_normal(split_logs(_normal(expr, frozenset({S.k}))), frozenset({S.k})))
        if new == expr:
            break
        expr = new
    return expr


def _normal(expr, known: frozenset):
    """One pass of the rules, innermost first; ``known`` holds the class indices known to lie in 1…K."""
    if not isinstance(expr, sp.Basic) or not expr.args:
        return expr
    if isinstance(expr, (sp.Sum, sp.Product)) and len(expr.limits) > 1:  # the inner limits first, then the outer
        var, lo, hi = expr.limits[-1]
        inner = type(expr)(expr.function, *expr.limits[:-1])
        inner_known = known | {var} if (lo, hi) == (1, S.K) else known
        if isinstance(expr, sp.Sum) and _over_classes(expr.limits[-1]):
            return _sum(_normal(inner, inner_known), var, lo, hi, known)
        return type(expr)(_normal(inner, inner_known), expr.limits[-1])
    if isinstance(expr, sp.log) and isinstance(expr.args[0], sp.Product) and _over_classes(expr.args[0].limits[0]):
        product = expr.args[0]
        body, limit = product.function, product.limits[0]
        from .positivity import positive_factor

        if positive_factor(body):  # log Π_v f_v = Σ_v log f_v for positive f_v (any number of them)
            return _normal(sp.Sum(sp.log(body), limit), known)
    if isinstance(expr, sp.Sum) and _over_classes(expr.limits[0]):
        var, lo, hi = expr.limits[0]
        body = _normal(expr.function, known | {var} if (lo, hi) == (1, S.K) else known)
        return _sum(body, var, lo, hi, known)
    args = [_normal(a, known) for a in expr.args]
    return expr if all(a is b for a, b in zip(args, expr.args)) else expr.func(*args)


def _in_range(a, lo, hi, known) -> bool:
    """The class ``a`` lies in lo…hi = 1…K: a known class index, or 1 or 2 (K ≥ 2)."""
    return (lo, hi) == (1, S.K) and (a in known or a in (sp.S.One, sp.Integer(2)))


def _delta(dep, var, lo, hi, known):
    """(δ_{var,a}, a) for a factor δ_{var,a} (or a power of one) of ``dep`` with a in lo…hi, else None."""
    for f in sp.Mul.make_args(dep):
        base = f.base if f.is_Pow and f.exp.is_Integer and f.exp > 0 else f
        if isinstance(base, sp.KroneckerDelta) and var in base.args:
            a = base.args[1] if base.args[0] == var else base.args[0]
            if not a.has(var) and _in_range(a, lo, hi, known):
                return base, a
    return None


def _one_hot(dep, var, lo, hi) -> bool:
    """``dep`` is y_{r,var} for a row r: Σ over all K classes of a one-hot target is 1."""
    return (lo, hi) == (1, S.K) and isinstance(dep, sp.Indexed) and dep.base == S.y and len(dep.indices) == 2 \
        and dep.indices[1] == var and not dep.indices[0].has(var)


def _sum(body, var, lo, hi, known):
    """Σ_{var=lo}^{hi} body by linearity, Kronecker's delta and the one-hot rule; what is left stays a sum."""
    out = []
    for term in sp.Add.make_args(sp.expand(body)):
        coeff, dep = term.as_independent(var, as_Add=False)
        if dep == 1:
            out.append(coeff * (hi - lo + 1))
            continue
        delta = _delta(dep, var, lo, hi, known)
        if delta is not None:
            factor, a = delta
            out.append(coeff * (dep / factor).xreplace({var: a}))
        elif _one_hot(dep, var, lo, hi):
            out.append(coeff)
        else:
            out.append(coeff * sp.Sum(dep, (var, lo, hi)))
    return sp.Add(*out)


def split_off_class(expr):
    """Every sum over the classes of positive terms f_v written f_k + R, R > 0 a symbol of its own: Σ_v f_v less
    class k's term is a sum of K − 1 ≥ 1 positive terms. An expression positive for every R > 0 is positive."""
    if S.k not in expr.free_symbols:
        return expr
    from .positivity import positive_sum

    rest = {}
    for total in sorted(expr.atoms(sp.Sum), key=sp.default_sort_key):
        var, lo, hi = total.limits[0]
        if len(total.limits) == 1 and (lo, hi) == (1, S.K) and positive_sum(total) \
                and not total.function.xreplace({var: S.k}).has(*BOUND):
            rest[total] = total.function.xreplace({var: S.k}) + sp.Dummy("R", positive=True)
    return expr.xreplace(rest)


def _class_constants(expr) -> set:
    """The classes a claim names: whole numbers in a Kronecker delta or as the class of y, η or μ (δ_{k3}, η_i3)."""
    found = {a for delta in expr.atoms(sp.KroneckerDelta) for a in delta.args if a.is_Integer}
    found |= {a.indices[1] for a in expr.atoms(sp.Indexed) if len(a.indices) == 2 and a.indices[1].is_Integer}
    return {int(c) for c in found if 1 <= c <= max(CLASS_COUNTS)}


def instances(expr, rng) -> list:
    """(K, k, the claim written out at them) for the numeric check: every K from 2 to 8, and for each the first and
    last class, the classes the claim names, and one drawn at random."""
    named = _class_constants(expr)
    out = []
    for count in CLASS_COUNTS:
        for k in sorted({1, count, rng.randint(1, count)} | {c for c in named if c <= count}):
            out.append((count, k, S.write_out(expr.xreplace({S.K: sp.Integer(count), S.k: sp.Integer(k)}))))
    return out
