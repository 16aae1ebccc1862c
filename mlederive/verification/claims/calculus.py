"""Claims of the calculus steps: derivatives (in η, in θ through the predictor, in a learned
parameter, the curvature) and the expectation that gives the Fisher information."""
from __future__ import annotations

import sympy as sp

from ... import symbolic as S
from ...predictors import theta
from .. import expectations  # noqa: F401  (registers how a moment claim is decided)
from .registry import (
    Malformed,
    claims,
    observation_term,
    prior_summand,
    split_penalty,
    summand,
)


@claims("derivative")
def _derivative(cx):
    m, wrt = cx.model, cx.payload.wrt
    weights = {p.weights: p for p in m.predicted} if m.several else {theta: m.predicted[0]}
    if isinstance(wrt, tuple):
        _hessian(cx)
    elif cx.payload.order == 2:
        _curvature(cx)
    elif wrt == m.eta_obs() and not m.several:
        _in_eta(cx, [e for e, _ in m.eta_components()])
    elif wrt in m.etas():
        _in_eta(cx, [wrt])
    elif wrt in weights:
        _in_theta(cx, weights[wrt])
    elif wrt in m.learned_params():
        p = wrt
        cx.zero(cx.concrete(summand(cx.step.expr) - sp.diff(summand(cx.ref.expr), p)), "summand = ∂ℓ_i/∂%s (any n)" % S.inline(p))
        if split_penalty(cx.step.expr)[1] != 0 or split_penalty(cx.ref.expr)[1] != 0:
            cx.zero(prior_summand(cx.step.expr) - sp.diff(prior_summand(cx.ref.expr), p),
                    "prior terms: ∂/∂%s of the reference's (any d)" % S.inline(p))
    else:
        raise Malformed("a derivative in %s: not η_i, θ or a learned parameter of this model" % (wrt,))


def _curvature(cx):
    """The second derivative in η: the reference is the ∂/∂η step."""
    m = cx.model
    if cx.payload.wrt != m.eta_obs():
        raise Malformed("a second derivative is taken in η_i")
    ref = observation_term(cx.ref.expr)
    for e, kk in m.eta_components():  # a one-hot outcome: the diagonal, ∂²ℓ_i/∂η_ik², class by class
        cx.zero(cx.concrete(cx.step.expr, k_value=kk) - m.diff_eta(cx.concrete(ref, k_value=kk), e), "∂²ℓ_i/∂%s²" % S.inline(e))
        if cx.payload.convex:
            cx.positive(cx.concrete(cx.step.expr, k_value=kk), "curvature positive (convex)")


def _hessian(cx):
    """The P × P matrix of second derivatives in every pair of the predicted parameters' η: the reference is the loss."""
    m, step = cx.model, cx.step
    etas = m.etas()
    if tuple(cx.payload.wrt) != tuple(etas) or cx.payload.order != 2:
        raise Malformed("a Hessian is the second derivative in every predicted parameter's η, (%s)"
                        % ", ".join(map(S.inline, etas)))
    if not isinstance(step.expr, sp.MatrixBase) or step.expr.shape != (len(etas), len(etas)):
        raise Malformed("a Hessian in %d parameters' η is a %d × %d matrix" % ((len(etas),) * 3))
    if cx.payload.convex:  # positive definiteness of a matrix is no claim this verifier can prove
        raise Malformed("a Hessian matrix is not claimed convex here: its entries are proved, not its definiteness")
    r = cx.concrete(observation_term(cx.ref.expr))
    for p, e_p in enumerate(etas):
        first = m.diff_eta(r, e_p)
        for q, e_q in enumerate(etas):
            cx.zero(cx.concrete(step.expr[p, q]) - m.diff_eta(first, e_q),
                    "∂²ℓ_i/∂%s∂%s" % (S.inline(e_p), S.inline(e_q)))


def _in_eta(cx, etas):
    m, step = cx.model, cx.step
    r = observation_term(cx.ref.expr)
    for e, kk in m.eta_components():
        if e in etas:
            cx.zero(cx.concrete(step.expr, k_value=kk) - m.diff_eta(cx.concrete(r), e), "∂ℓ_i/∂%s" % S.inline(e))
    if cx.payload.chain is not None:
        dl_dmu, dmu_deta = cx.payload.chain
        p = m.predicted_for(etas[0])
        inverses = m.inverses()
        cx.zero((dl_dmu * dmu_deta).xreplace(inverses) - step.expr, "chain-rule factors multiply to the claim")
        cx.zero(dmu_deta.xreplace(inverses) - m.diff_eta(inverses[m.mu_obs()] if not m.several else
                                                         p.link.inverse(etas[0]), etas[0]),
                "d%s/d%s of the link" % ("μ" if not m.several else p.letter, S.inline(etas[0]))
                if m.several else "dμ/dη of the link")


def _in_theta(cx, p):
    m, step = cx.model, cx.step
    jac = m.predictor.jacobian(S.i)
    s = summand(step.expr)
    reached = [(e, kk) for e, kk in m.eta_components() if not m.several or e == p.eta[S.i]]
    for e, kk in reached:
        cx.zero(cx.concrete(s, k_value=kk) - m.diff_eta(cx.concrete(summand(cx.ref.expr)), e) * jac,
                "summand = ∂ℓ_i/∂η_i · ∂η_i/∂θ (any n)")
    # the sum's gradient is the sum of the summands' (linearity, any n); what is left to check is the
    # predictor's own ∂η_i/∂θ, against differentiating a concrete instance of it
    eta_values, comps = cx.theta_instance()
    for t, jsubs, kk in comps:
        e1 = S.eta[1] if kk is None else S.eta[1, kk]
        cx.zero(m.predictor.jacobian(1).xreplace(jsubs) - sp.diff(eta_values[e1], t),
                "∂η_i/∂θ of the predictor, in %s" % t)
    step_prior, ref_prior = split_penalty(step.expr)[1], split_penalty(cx.ref.expr)[1]
    if step_prior != 0 or ref_prior != 0:
        # a prior's Σ_j r(θ_j): component j of its gradient is r′(θ_j), which the step writes with θ for θ_j
        w = S.weights[S.j]
        if step_prior.has(S.j) or step_prior.has(S.weights):
            raise Malformed("the gradient of a prior is written elementwise in θ")
        cx.zero(step_prior.xreplace({theta: w}) - sp.diff(prior_summand(cx.ref.expr), w),
                "prior terms: component j is ∂/∂θ_j of the reference's (any d)")


@claims("expectation")
def _expectation(cx):
    if cx.payload.mean is None:
        return _by_moments(cx)
    _of_linear(cx)


def _by_moments(cx):
    """E over y entry by entry: each entry of the reference is c₀ + Σ_j c_j·m_j(y) with every c free of y (an
    identity in y), the step's entry is c₀ + Σ_j c_j·E[m_j], and each E[m_j] used is proved against the density."""
    m, step, ref = cx.model, cx.step.expr, cx.ref.expr
    moments, coefficients = cx.payload.moments, cx.payload.coefficients
    if not isinstance(step, sp.MatrixBase) and not isinstance(ref, sp.MatrixBase):  # one parameter: a 1 × 1 matrix
        step, ref = sp.ImmutableMatrix([[step]]), sp.ImmutableMatrix([[observation_term(ref)]])
    if not isinstance(step, sp.MatrixBase) or not isinstance(ref, sp.MatrixBase) or step.shape != ref.shape:
        raise Malformed("an expectation by moments is taken entry by entry of a matrix of the reference's shape")
    if len(coefficients) != len(step) or any(len(cs) != len(moments) for _, cs in coefficients):
        raise Malformed("an expectation by moments states c₀ and one coefficient per moment for every entry")
    y_i, used = m.y_obs(), set()
    for k, (h, f, (c0, cs)) in enumerate(zip(ref, step, coefficients)):
        where = "entry (%d, %d)" % (k // step.cols + 1, k % step.cols + 1)
        combination = c0 + sp.Add(*[c * mj for c, (mj, _) in zip(cs, moments)])
        cx.fact(not any(c.has(y_i) for c in (c0,) + tuple(cs)), "%s: the coefficients are free of %s"
                % (where, S.inline(y_i)))
        cx.zero(cx.concrete(h - combination), "%s: the Hessian's entry is c₀ + Σ c_j·m_j(y) (an identity in y)" % where)
        cx.zero(cx.concrete(f - c0 - sp.Add(*[c * ej for c, (_, ej) in zip(cs, moments)])),
                "%s: E[c₀ + Σ c_j·m_j(y)] = c₀ + Σ c_j·E[m_j(y)]" % where)
        used |= {j for j, c in enumerate(cs) if c != 0}
    for j in sorted(used):
        cx.moment(*moments[j], "E[%s] = %s against the %s density" % (S.inline(moments[j][0]),
                                                                       S.inline(moments[j][1]), m.family.name))


def _of_linear(cx):
    """E_y[f(y)] = f(μ) needs f linear in y: prove that, then the substitution — of the family's mean.

    The stated mean is not taken on trust: it must be the model's g⁻¹(η_i), and the family must be
    one whose μ is E[y] (an exponential-dispersion family, Var y = φV(μ): tests/test_families.py
    checks its mean and variance against scipy).
    """
    m = cx.model
    if m.family.variance(m.mu_obs(), m.params) is None:
        raise Malformed("E[y_i] = μ_i: in the %s family μ need not be the mean of y" % m.family.name)
    f = cx.concrete(observation_term(cx.ref.expr))
    y_i = m.y_obs()
    cx.zero(sp.diff(f, y_i, 2), "linear in %s" % S.inline(y_i))
    cx.zero(cx.concrete(cx.payload.mean) - cx.concrete(m.mean()), "the stated E[y_i] is the family's mean g⁻¹(η_i)")
    cx.zero(cx.concrete(cx.step.expr) - f.subs(y_i, cx.concrete(cx.payload.mean)), "y replaced by its mean μ = g⁻¹(η)")
