"""Claims of the calculus steps: derivatives (in η, in θ through the predictor, in a learned
parameter, the curvature) and the expectation that gives the Fisher information."""
from __future__ import annotations

import sympy as sp

from ... import symbolic as S
from ...predictors import theta
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
    if cx.payload.order == 2:
        _curvature(cx)
    elif wrt == m.eta_obs():
        _in_eta(cx)
    elif wrt == theta:
        _in_theta(cx)
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
    for e, kk in m.eta_components():  # a vector outcome: the diagonal, ∂²ℓ_i/∂η_ik², class by class
        cx.zero(cx.concrete(cx.step.expr, k_value=kk) - m.diff_eta(cx.concrete(ref, k_value=kk), e), "∂²ℓ_i/∂%s²" % S.inline(e))
        if cx.payload.convex:
            cx.positive(cx.concrete(cx.step.expr, k_value=kk), "curvature positive (convex)")


def _in_eta(cx):
    m, step = cx.model, cx.step
    r = observation_term(cx.ref.expr)
    for e, kk in m.eta_components():
        cx.zero(cx.concrete(step.expr, k_value=kk) - m.diff_eta(cx.concrete(r), e), "∂ℓ_i/∂%s" % S.inline(e))
    if cx.payload.chain is not None:
        dl_dmu, dmu_deta = cx.payload.chain
        mean = m.mean()
        cx.zero((dl_dmu * dmu_deta).xreplace({m.mu_obs(): mean}) - step.expr, "chain-rule factors multiply to the claim")
        cx.zero(dmu_deta.xreplace({m.mu_obs(): mean}) - m.diff_eta(mean), "dμ/dη of the link")


def _in_theta(cx):
    m, step = cx.model, cx.step
    jac = m.predictor.jacobian(S.i)
    s = summand(step.expr)
    for e, kk in m.eta_components():
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
