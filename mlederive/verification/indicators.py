"""Claims with an indicator of the outcome, 1[y = c] (a zero-inflated density): two cases, y = c with the indicator 1
and any y with the indicator 0, each decided like any claim."""
from __future__ import annotations

import dataclasses

import sympy as sp

from .. import symbolic as S
from .prover import CASE_SPLITS, Claim, Outcome, decide


def indicators(expr) -> list:
    """The indicators 1[y = c] of an outcome y (KroneckerDelta of y_i and a number); class deltas δ_jk are not
    among them (mlederive.verification.classes takes those)."""
    return sorted((d for d in expr.atoms(sp.KroneckerDelta)
                   if any(isinstance(a, sp.Indexed) and a.base == S.y for a in d.args)
                   and any(a.is_number for a in d.args)), key=sp.default_sort_key)


def decide_cases(claim: Claim, model, seed: int, budget: float) -> Outcome:
    """A claim with an indicator 1[y = c] (KroneckerDelta) holds when it holds at y = c with the indicator 1, and for
    every y with the indicator 0 (which covers every y ≠ c): each case decided like any claim, the weaker method
    labelling the whole."""
    delta = indicators(claim.expr)[0]
    var, at = delta.args if not delta.args[0].is_number else delta.args[::-1]
    cases = [("%s = %s" % (S.inline(var), S.inline(at)), claim.expr.xreplace({delta: sp.S.One}).xreplace({var: at})),
             ("%s ≠ %s" % (S.inline(var), S.inline(at)), claim.expr.xreplace({delta: sp.S.Zero}))]
    methods = []
    for where, expr in cases:
        out = decide(dataclasses.replace(claim, expr=expr, label="%s (%s)" % (claim.label, where)), model, seed,
                      budget)
        if not out.ok:
            return out
        methods.append(out.method)
    return Outcome(True, "numeric" if "numeric" in methods else "symbolic")


CASE_SPLITS.append((indicators, decide_cases))
