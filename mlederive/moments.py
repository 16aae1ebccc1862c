"""Expectations over y through the moments a family declares: E[(y − μ)²] = σ², E[log y] = ψ(k) − log(k/μ) …

The derivation writes an expression in y as c₀ + Σ_j c_j·m_j(y) with coefficients free of y (:func:`decompose`) and
puts in each E[m_j(y)] by linearity. Nothing here is trusted: the verifier proves the decomposition an identity in y,
the coefficients free of y, and each declared moment against the family's density
(mlederive.verification.claims.calculus).
"""
from __future__ import annotations

import sympy as sp

from .budget import BudgetExceeded, expired_here, time_budget

#: seconds of CPU a decomposition may take. Those that succeed take under 0.1 s (the catalog's largest expression has
#: 151 operations); one SymPy expands for seconds (the zero-inflated Poisson's curvature under the cauchit link, 1,418
#: operations, 3 s) is no combination of the moments in the end, and the Fisher step is left out as it was
DECOMPOSE_BUDGET = 1.0


def expectation_terms(model) -> list | None:
    """The family's moments at this model's parameters, each written in η: [(m(y_i), E[m(y_i)]), …]; None when the
    family declares none."""
    moments = model.family.moments(model.y_obs(), model.mean(), model.values_in_eta())
    return list(moments) if moments else None


def _variable(y, centre):
    """The variable the moments are read in: r = y − centre for a location family, else y itself."""
    if centre is None:
        return y, y
    r = sp.Dummy("r", real=True)
    return r, r + centre


def decompose(expr: sp.Expr, y: sp.Expr, centre: sp.Expr | None, moments: list):
    """(c₀, [c₁, …]) with ``expr`` = c₀ + Σ_j c_j·m_j(y), each c free of y; None when ``expr`` is no such combination.

    With a ``centre`` the expression is read in r = y − centre, and a rational function of r is split into partial
    fractions first (the Student-t's 1/(νσ² + r²)², r/(νσ² + r²)² …)."""
    parts = _bounded(expr, y, centre, moments, force=False)
    # (y/μ)^k read as y^k·μ^(−k) where SymPy cannot tell μ > 0 (an identity link's η): the verifier proves the
    # decomposition an identity in y on the model's domain, so a wrong split is caught there
    if parts is None and any(not p.exp.is_Integer and p.has(y) for p in expr.atoms(sp.Pow)):
        parts = _bounded(expr, y, centre, moments, force=True)
    return parts


def _bounded(expr, y, centre, moments, force: bool):
    """:func:`_decompose` within DECOMPOSE_BUDGET seconds of CPU, else None."""
    try:
        with time_budget(DECOMPOSE_BUDGET):
            return _decompose(expr, y, centre, moments, force)
    except BudgetExceeded as exc:
        if not expired_here(exc):
            raise
        return None


def _decompose(expr, y, centre, moments, force: bool):
    var, put = _variable(y, centre)
    e = expr.xreplace({y: put})
    basis = [sp.expand(m.xreplace({y: put}), power_base=True, force=force) for m, _ in moments]
    e = sp.expand(e, power_base=True, force=force)
    if centre is not None and e.is_rational_function(var) and sp.denom(sp.together(e)).has(var):
        e = sp.expand(sp.apart(sp.together(e), var))
    c0, cs = sp.S.Zero, [sp.S.Zero] * len(basis)
    for t in sp.Add.make_args(e):
        c, rest = t.as_independent(var, as_Add=False)
        if rest == 1:
            c0 += c
            continue
        for j, m in enumerate(basis):
            ratio = sp.cancel(rest / m)
            if not ratio.has(var):
                cs[j] += c * ratio
                break
        else:
            return None
    return sp.factor_terms(c0), [sp.factor_terms(c) for c in cs]
