"""One integral or sum over the outcome, to 30 digits (mpmath): what a normaliser's closed form is checked against."""
from __future__ import annotations

import sympy as sp

from . import symbolic as S


def quadrature(total, at: dict, breaks: tuple = ()):
    """The integral or sum ``total`` (one variable) with the values ``at`` put in, to 30 digits; an integral is cut at
    ``breaks`` (where its integrand has a kink) and at 0, a sum to ∞ is summed by ``nsum``."""
    import mpmath

    (v, low, high), = total.limits
    body = S.expand_functions(total.function).subs(at)
    f = sp.lambdify(v, body, modules=["mpmath"])
    with mpmath.workdps(30):
        if isinstance(total, sp.Sum):
            return mpmath.nsum(f, [int(low), mpmath.inf if high == sp.oo else int(high)])
        cuts = sorted({float(sp.N(b.subs(at), 30)) for b in breaks} | {0.0})
        cuts = [c for c in cuts if (low == -sp.oo or c > low.subs(at)) and (high == sp.oo or c < high.subs(at))]
        lo = -mpmath.inf if low == -sp.oo else mpmath.mpf(sp.N(low.subs(at), 30))
        hi = mpmath.inf if high == sp.oo else mpmath.mpf(sp.N(high.subs(at), 30))
        return mpmath.quad(f, [lo, *cuts, hi])
