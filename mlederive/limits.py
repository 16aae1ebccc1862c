"""Limits SymPy's Gruntz algorithm cannot take as written: at ±∞, a min or max of the variable and a number (LightGBM's
MAPE divides by max(1, y)) has no series. Past every number in such a min/max each one is settled, so the limit is taken
of f(a + u) as u → ∞, with a beyond them: the same limit, since it depends on no finite stretch of the line."""
from __future__ import annotations

import sympy as sp

from . import symbolic as S


def limit(expr: sp.Expr, var: sp.Symbol, point) -> sp.Expr:
    """lim_{var → point} expr (our named functions written out)."""
    expr = S.expand_functions(expr)
    try:
        return sp.limit(expr, var, point)
    except (NotImplementedError, ValueError):
        if point not in (sp.oo, -sp.oo) or not expr.has(sp.Min, sp.Max):
            raise
    ends = [abs(a) for m in expr.atoms(sp.Min, sp.Max) for a in m.args if a.is_number]
    far = sp.Integer(int(max(ends, default=0)) + 1)
    u = sp.Dummy("u", positive=True)
    return sp.limit(expr.subs(var, far + u if point == sp.oo else -far - u), u, sp.oo)
