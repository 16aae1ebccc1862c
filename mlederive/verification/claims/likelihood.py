"""Claims of the likelihood steps: substitution of the link, i.i.d. product, log, equality,
negation, θ-free terms dropped, positive rescaling."""
from __future__ import annotations

import sympy as sp

from ... import symbolic as S
from ...links import inverse_residuals
from . import UNROLL_SIZE, Malformed, claims, summand


@claims("definition")
@claims("definition", on="plain")
def _definition(cx):
    return


@claims("substitution")
def _substitution(cx):
    m, step, ref = cx.model, cx.step, cx.ref
    inverse = cx.payload.inverse
    if inverse is None:
        raise Malformed("a substitution step of a derivation states the inverse link it puts in")
    cx.zero(cx.c(step.expr - ref.expr.xreplace({m.mu_obs(): inverse})), "density with μ = g⁻¹(η)")
    if m.vector:
        mus = [cx.c(inverse, k_value=c) for c in range(1, m.classes + 1)]
        etas = [e for e, _ in m.eta_components()]
    else:
        mus, etas = [inverse], [m.eta_obs()]
    for r in inverse_residuals(m.link, mus, etas):
        cx.zero(r, "g(g⁻¹(η)) = η")


@claims("iid-product")
def _iid_product(cx):
    cx.zero(cx.c(S.to_factor(cx.step.expr) - cx.ref.expr), "factor of the product = one observation's density")


@claims("log")
def _log(cx):
    cx.zero(cx.c(summand(cx.step.expr) - sp.log(summand(cx.ref.expr))), "summand = log of factor")
    cx.zero(cx.unrolled(cx.step.expr) - sp.log(cx.unrolled(cx.ref.expr)), "unrolled, n=%d" % UNROLL_SIZE)


@claims("equal")
def _equal(cx):
    cx.zero(cx.c(summand(cx.step.expr) - summand(cx.ref.expr)), "summands equal")
    cx.zero(cx.unrolled(cx.step.expr - cx.ref.expr), "unrolled, n=%d" % UNROLL_SIZE)


@claims("negated")
def _negated(cx):
    cx.zero(cx.c(summand(cx.step.expr) + summand(cx.ref.expr)), "summands opposite")
    cx.zero(cx.unrolled(cx.step.expr + cx.ref.expr), "unrolled, n=%d" % UNROLL_SIZE)


@claims("constant-dropped")
def _constant_dropped(cx):
    m = cx.model
    diff = cx.c(summand(cx.ref.expr) - summand(cx.step.expr))
    for p in m.summand_learned():
        cx.zero(sp.diff(diff, p), "dropped part free of %s" % p)
    dropped = cx.payload.dropped
    if dropped is not None:
        listed = cx.c(S.to_summand(sp.Add(*dropped)))
        cx.zero(diff - listed, "dropped terms are exactly the difference")
    eta_values, comps = cx.theta_instance()
    whole = cx.unrolled(cx.ref.expr - cx.step.expr).xreplace(eta_values)
    for t, _, _ in comps:
        cx.zero(sp.diff(whole, t), "unrolled n=%d: free of %s" % (UNROLL_SIZE, t))
    for p in m.learned_params():
        cx.zero(sp.diff(whole, p), "unrolled n=%d: free of %s" % (UNROLL_SIZE, p))


@claims("rescaled")
def _rescaled(cx):
    """step = c·reference, with the stated factor c proved free of θ and of the data, and positive."""
    m = cx.model
    factor = cx.payload.factor
    if factor is None:  # no stated factor: the ratio is the factor
        factor = sp.cancel(cx.c(summand(cx.step.expr)) / cx.c(summand(cx.ref.expr)))
    cx.zero(cx.c(summand(cx.step.expr) - factor * summand(cx.ref.expr)), "summand = factor × reference")
    for v in m.summand_learned() + m.y_components():
        cx.zero(sp.diff(factor, v), "factor free of %s" % v)
    cx.positive(factor, "factor positive")
    eta_values, comps = cx.theta_instance()
    whole = (cx.unrolled(cx.step.expr) - factor.subs(S.n, UNROLL_SIZE) * cx.unrolled(cx.ref.expr)).xreplace(eta_values)
    cx.zero(whole, "unrolled n=%d: step = factor × reference" % UNROLL_SIZE)
