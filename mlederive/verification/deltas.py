"""Claims with δ terms, decided as distributions: δ terms are zero at every sampled point, so each δ⁽ᵏ⁾ coefficient
is compared symbolically (registered with the prover's case splits, after the indicators' split)."""
from __future__ import annotations

import sympy as sp

from .distributions import split_distributions
from .prover import CASE_SPLITS, Claim, Outcome, decide, symbolic_zero


def decide_distribution(claim: Claim, model, seed: int, budget: float) -> Outcome:
    """A claim with δ terms: as distributions in one variable, every δ⁽ᵏ⁾ coefficient (evaluated where that δ lives)
    must vanish symbolically; the rest as any claim."""
    try:
        regular, groups, v = split_distributions(claim.expr)
    except ValueError as e:
        return Outcome(False, "symbolic", "%s: %s (cannot compare distributions)" % (claim.label, e))
    for (root, order), coef in groups.items():
        if not symbolic_zero(coef, budget, model)[0]:
            what = "δ(%s − %s)" % (v, root) if order == 0 else "δ^(%d)(%s − %s)" % (order, v, root)
            return Outcome(False, "symbolic", "%s: the %s terms do not agree" % (claim.label, what))
    if regular == 0:
        return Outcome(True, "symbolic")
    return decide(Claim("zero", regular, claim.label, claim.no_numeric), model, seed, budget)


CASE_SPLITS.append((lambda expr: expr.has(sp.DiracDelta), decide_distribution))
