"""Sums and products over the K classes of a one-hot outcome: which limits run over the classes, and one name for
each bound class index, so that two sums that differ only in the name of their index are one expression."""
from __future__ import annotations

import sympy as sp

from .symbolic import K

#: the canonical bound index of a sum or product over the classes, by nesting depth (:func:`canonical_classes`)
CLASS_BOUND = tuple(sp.Idx("c_%d" % depth) for depth in range(12))


def over_classes(limit) -> bool:
    """A limit (v, lo, hi) of a sum or product over the classes: it runs up to K."""
    return limit[2].has(K) or limit[1].has(K)


def canonical_classes(expr):
    """``expr`` with the bound index of every sum or product over the classes renamed to :data:`CLASS_BOUND` by depth.

    Twice: first to indices never seen (so no renaming can capture a free index, whatever names the sums had),
    then to the canonical ones, outermost first."""
    return _rename(_rename(expr, 0, fresh=True), 0, fresh=False)


def _rename(expr, depth: int, fresh: bool):
    if not isinstance(expr, sp.Basic) or not expr.args:
        return expr
    if isinstance(expr, (sp.Sum, sp.Product)):
        body, limits, out = expr.function, list(expr.limits), []
        for place in range(len(limits) - 1, -1, -1):  # the last limit is the outermost
            var, lo, hi = limits[place]
            if over_classes(limits[place]):
                new = sp.Dummy("c", integer=True) if fresh else CLASS_BOUND[depth]
                depth += 1
                if new != var:
                    body = body.xreplace({var: new})
                    limits[:place] = [(u, a.xreplace({var: new}), b.xreplace({var: new})) for u, a, b in limits[:place]]
                var = new
            out.insert(0, (var, lo, hi))
        return type(expr)(_rename(body, depth, fresh), *out)
    args = [_rename(a, depth, fresh) for a in expr.args]
    return expr if all(a is b for a, b in zip(args, expr.args)) else expr.func(*args)
