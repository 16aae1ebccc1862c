"""Claims of the likelihood steps: substitution of the link, i.i.d. product, log, equality,
negation, θ-free terms dropped, positive rescaling."""
from __future__ import annotations

import sympy as sp

from ... import symbolic as S
from ...links import inverse_residuals
from .. import (
    deltas,  # noqa: F401  (registers δ terms decided as distributions, after the indicators' split)
    indicators,  # noqa: F401  (registers the case split of a claim with 1[y = c])
)
from ..nonsmooth import nonsmooth_parts
from .registry import Malformed, claims, prior_summand, split_penalty, summand


@claims("definition")
@claims("definition", on="plain")
def _definition(cx):
    return


@claims("surrogate")
def _surrogate(cx):
    """A stand-in Hessian: the value the documentation states, and positive on the whole domain."""
    cx.zero(cx.concrete(cx.step.expr - cx.payload.value), "the surrogate is the value stated")
    cx.positive(cx.concrete(cx.step.expr), "the surrogate is positive")


@claims("substitution")
def _substitution(cx):
    m, step, ref = cx.model, cx.step, cx.ref
    inverse = cx.payload.inverse
    if inverse is None and cx.payload.subs is not None and m.several:
        return _substitution_of_each(cx)
    if inverse is None:
        raise Malformed("a substitution step of a derivation states the inverse link it puts in")
    cx.zero(cx.concrete(step.expr - ref.expr.xreplace({m.mu_obs(): inverse})), "density with μ = g⁻¹(η)")
    if m.one_hot:  # class k's μ_k, any K: the simplex and the log-ratios to class 1 (mlederive.links)
        v = sp.Idx("v")
        mu_k = cx.concrete(inverse)
        cx.zero(cx.concrete(sp.Sum(inverse.xreplace({S.k: v}), (v, 1, S.K)) - 1), "g(g⁻¹(η)) = η: Σ_k μ_k = 1")
        cx.zero(sp.log(mu_k / mu_k.xreplace({S.k: sp.S.One})) - (m.eta_obs() - S.eta[S.i, 1]),
                "g(g⁻¹(η)) = η: log(μ_k/μ_1) = η_k − η_1")
        cx.zero(mu_k - cx.concrete(m.mean()), "g⁻¹ is the link's own inverse")
        return
    for r in inverse_residuals(m.link, [inverse], [m.eta_obs()]):
        cx.zero(r, "g(g⁻¹(η)) = η")
    # g(g⁻¹(η)) = η alone admits another branch of g⁻¹ (g not one-to-one on ℝ): the inverse put in must
    # be the link's own, whose range the pairing has checked against the family's mean domain
    cx.zero(inverse - cx.concrete(m.mean()), "g⁻¹ is the link's own inverse")


def _substitution_of_each(cx):
    """Several predicted parameters: each value σ_i replaced by g⁻¹ of its own η, with each link's own inverse."""
    m, subs = cx.model, dict(cx.payload.subs)
    by_value = {p.value[S.i]: p for p in m.predicted}
    if set(subs) != set(by_value):
        raise Malformed("the substitution puts in g⁻¹(η) for %s; the model predicts %s" % (
            ", ".join(map(S.inline, subs)), ", ".join(map(S.inline, by_value))))
    cx.zero(cx.concrete(cx.step.expr - cx.ref.expr.xreplace(subs)), "density with each parameter = g⁻¹(its η)")
    for value, inverse in subs.items():
        p = by_value[value]
        for r in inverse_residuals(p.link, [inverse], [p.eta[S.i]]):
            cx.zero(r, "g(g⁻¹(η)) = η for %s" % S.inline(value))
        cx.zero(inverse - p.link.inverse(p.eta[S.i]), "g⁻¹ of %s is its link's own inverse" % S.inline(value))


@claims("iid-product")
def _iid_product(cx):
    cx.zero(cx.concrete(S.to_factor(cx.step.expr) - cx.ref.expr), "factor of the product = one observation's density")


# The summand claims below are general in n: ``summand`` takes a sum over i = 1…n apart by
# linearity alone (correct by construction; any other shape is Malformed). A sample written out
# for n = 3 on top proved nothing more and cost a third of the catalog's proving time.

@claims("log")
def _log(cx):
    _no_penalty(cx)
    cx.zero(cx.concrete(summand(cx.step.expr) - sp.log(summand(cx.ref.expr))), "summand = log of factor (any n)")


@claims("equal")
def _equal(cx):
    step, ref = cx.step.expr, cx.ref.expr
    if isinstance(step, sp.MatrixBase) or isinstance(ref, sp.MatrixBase):  # one observation's matrix, entry by entry
        if not (isinstance(step, sp.MatrixBase) and isinstance(ref, sp.MatrixBase) and step.shape == ref.shape):
            raise Malformed("a matrix equals a matrix of the same shape")
        for k, (a, b) in enumerate(zip(step, ref)):
            cx.zero(cx.concrete(a - b), "entry (%d, %d) equal" % (k // step.cols + 1, k % step.cols + 1))
        return
    cx.zero(cx.concrete(summand(cx.step.expr) - summand(cx.ref.expr)), "summands equal (any n)")
    _penalties_agree(cx, -1)


@claims("negated")
def _negated(cx):
    cx.zero(cx.concrete(summand(cx.step.expr) + summand(cx.ref.expr)), "summands opposite (any n)")
    _penalties_agree(cx, 1)
    _named(cx)


def _named(cx):
    """"This is the binary cross-entropy": the named form with ŷ_i = g⁻¹(η_i), times its reduction, is the step."""
    named = cx.payload.named
    if named is None:
        return
    m = cx.model
    yhat = S.yhat[S.i, S.k] if m.one_hot else S.yhat[S.i]
    form = S.expand_functions(S.evaluated(named.form)).xreplace({yhat: m.mean(), **m.inverses()})
    cx.zero(cx.concrete(summand(cx.step.expr) - named.per * form), "the named loss with ŷ_i = g⁻¹(η_i) (any n)")


def _no_penalty(cx):
    if split_penalty(cx.step.expr)[1] != 0 or (not isinstance(cx.ref.expr, sp.Product)
                                               and split_penalty(cx.ref.expr)[1] != 0):
        raise Malformed("a log step of the likelihood has no prior terms")


def _has_penalty(cx) -> bool:
    return any(split_penalty(e)[1] != 0 for e in (cx.step.expr, cx.ref.expr) if not isinstance(e, sp.Product))


def _penalties_agree(cx, sign):
    """The terms in the weights θ_j (a prior's), which ``summand`` leaves out: step = ±reference, for any d."""
    step, ref = split_penalty(cx.step.expr)[1], split_penalty(cx.ref.expr)[1]
    if step != 0 or ref != 0:
        cx.zero(step + sign * ref, "prior terms %s (any d)" % ("equal" if sign < 0 else "opposite"))


@claims("constant-dropped")
def _constant_dropped(cx):
    m = cx.model
    diff = cx.concrete(summand(cx.ref.expr) - summand(cx.step.expr))
    for p in m.summand_learned():
        if any(p in part.free_symbols for part in nonsmooth_parts(diff)):
            # ∂/∂η of log((100 − η)²)/2 − log(100 − η) is 0, yet the term is −iπ beyond η = 100: a zero derivative
            # shows a constant only on each piece; the dropped part must be the same at any other value of p
            cx.zero(diff - diff.xreplace({p: _another(p)}), "dropped part the same at every %s" % S.inline(p))
        else:
            cx.zero(sp.diff(diff, p), "dropped part free of %s" % S.inline(p))
    dropped = cx.payload.dropped
    if dropped is not None:
        listed = cx.concrete(S.to_summand(sp.Add(*dropped)))
        cx.zero(diff - listed, "dropped terms are exactly the difference")
    if _has_penalty(cx):  # a prior's terms: what was dropped from them is free of every θ_j (any d)
        weight = prior_summand(cx.ref.expr) - prior_summand(cx.step.expr)
        for v in [S.weights[S.j]] + m.learned_params():
            cx.zero(sp.diff(weight, v), "dropped prior terms free of %s (any d)" % S.inline(v))


def _another(p):
    """Another value of the learned quantity ``p`` in the same domain: η of another row, or a fresh symbol with p's
    assumptions."""
    if isinstance(p, sp.Indexed):
        return p.base[(sp.Idx("i_other"),) + tuple(p.indices[1:])]
    return sp.Dummy(p.name, **p.assumptions0)


def _mentions_weights(cx, expr) -> bool:
    """``expr`` names a weight: θ itself, θ_j, the concrete predictor's own weights, any θ-named symbol, or x."""
    from ...predictors import theta

    weights = {t for t, _, _ in cx.theta_instance()[1]}
    named = any(s.name.startswith(("theta", "θ")) for s in expr.free_symbols)
    return named or bool(expr.free_symbols & (weights | {theta})) or expr.has(S.weights) or expr.has(S.x)


@claims("rescaled")
def _rescaled(cx):
    """step = c·reference, with the stated factor c proved free of θ and of the data, and positive."""
    m = cx.model
    factor = cx.payload.factor
    if factor is None:  # no stated factor: the ratio is the factor
        factor = sp.cancel(cx.concrete(summand(cx.step.expr)) / cx.concrete(summand(cx.ref.expr)))
    cx.zero(cx.concrete(summand(cx.step.expr) - factor * summand(cx.ref.expr)), "summand = factor × reference")
    for v in m.summand_learned() + m.y_components():  # (made concrete: no bound class index is η_ik's k)
        cx.zero(sp.diff(cx.concrete(factor), v), "factor free of %s" % S.inline(v))
    cx.fact(not _mentions_weights(cx, factor), "factor free of θ (by name and as the predictor's weights) and of x")
    cx.positive(factor, "factor positive")
    _named(cx)
    if cx.payload.unit_dispersion:  # the objective's own scale: φ × the negative log-likelihood (up to θ-free terms)
        if cx.also is None:
            raise Malformed("a unit-dispersion objective names the negative log-likelihood it scales (also)")
        phi = m.family.dispersion(m.params)
        gap = cx.concrete(summand(cx.step.expr) - (phi if phi is not None else 1) * summand(cx.also.expr))
        for v in m.summand_learned():
            cx.zero(sp.diff(gap, v), "the objective is φ × the negative log-likelihood, up to terms free of %s" % S.inline(v))
    if _has_penalty(cx):
        cx.zero(prior_summand(cx.step.expr) - factor * prior_summand(cx.ref.expr),
                "prior terms = factor × reference's, weight by weight (any n, d)")
