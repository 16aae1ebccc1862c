"""Tidying a derived expression for display: bounded rewrites, the shortest of equal forms, a binary outcome's two
cases. What is shown is proved equal to what was derived by the verifier, so nothing here needs to be right, only
short."""
from __future__ import annotations

import sympy as sp

from ..budget import bounded
from ..model import Model


def factor_cancel(e):
    return sp.factor(sp.cancel(e))


#: above this many operations an expression is shown as differentiation leaves it (factor or simplify on
#: it could take seconds); the largest the catalog tidies has about 330
TIDY_OPS = 400
#: a safety net only: every tidy the catalog makes finishes in well under a second
TIDY_SAFETY = 10.0


def tidy(rewrite, expr: sp.Expr) -> sp.Expr:
    """``rewrite(expr)`` when expr is small enough, else expr: what a step shows depends on the
    expression alone, never on how loaded the machine is."""
    if sp.count_ops(expr) > TIDY_OPS:
        return expr
    return bounded(rewrite, expr, TIDY_SAFETY)


def shortest(candidates) -> sp.Expr:
    """The equal form with the fewest operations (what a reader has to read); the first on a tie."""
    return min(candidates, key=lambda e: sp.count_ops(e))


def by_outcome(model: Model, expr: sp.Expr, factor: sp.Expr):
    """A binary outcome's y·A + (1 − y)·B, each case tidied (the y = 1 and the y = 0 term), times ``factor``;
    None unless the outcome lies in [0, 1] and expr is linear in y (then the form is an identity)."""
    y_i = model.y_obs()
    if not model.family.support.is_subset(sp.Interval(0, 1)) or sp.diff(expr, y_i, 2) != 0:
        return None
    per = expr / factor
    one, zero = (tidy(factor_cancel, per.subs(y_i, v)) for v in (1, 0))
    return factor * (y_i * one + (1 - y_i) * zero)


def by_indicator(expr: sp.Expr):
    """A censored row's 1[y = c]·A + (1 − 1[y = c])·B, each case tidied; None without an indicator of the outcome or
    where expr is not linear in it (then the form would not be an identity)."""
    from ..indicators import indicator_of

    flags = [d for d in expr.atoms(sp.KroneckerDelta) if indicator_of(d) is not None]
    if len(flags) != 1:
        return None
    d = flags[0]
    t = sp.Dummy("t")
    if sp.diff(expr.xreplace({d: t}), t, 2) != 0:
        return None
    one, zero = (_whole_arguments(tidy(factor_cancel, expr.xreplace({d: v}))) for v in (sp.S.One, sp.S.Zero))
    return d * one + (1 - d) * zero


def _whole_arguments(expr):
    """Φ((c − η)/σ), not Φ(c/σ − η/σ) as factor and cancel leave a named function's argument."""
    from .. import symbolic as S

    return expr.replace(lambda e: isinstance(e, S.NamedFunction) and e.args and e.args[0].is_Add,
                        lambda e: type(e)(sp.together(e.args[0]), *e.args[1:]))


def nonsmooth(expr: sp.Expr) -> bool:
    return expr.has(sp.sign, sp.DiracDelta, sp.Heaviside, sp.Abs)
