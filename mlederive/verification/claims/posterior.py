"""Claims of the MAP steps (the negative log-prior, Bayes' rule) and of the closed-form
minimiser (θ̂ of the normal equations)."""
from __future__ import annotations

import sympy as sp

from ... import symbolic as S
from .registry import Malformed, claims, prior_summand, split_penalty, summand


@claims("negative-log")
def _negative_log(cx):
    """−log of a product over the weights: one weight's term is −log of one factor (any d)."""
    try:
        factor = S.to_factor(cx.ref.expr, index=S.j, size=S.d)
    except ValueError as e:
        raise Malformed("−log of a prior: the reference must be a product over j = 1…d (%s)" % e) from None
    if split_penalty(cx.step.expr)[0] != 0:
        raise Malformed("−log of a prior has terms in the weights only")
    cx.zero(prior_summand(cx.step.expr) + sp.log(factor), "one weight's term = −log of one factor (any d)")


@claims("bayes")
def _bayes(cx):
    """−log posterior + const = the reference's negative log-likelihood + the ``also`` step's −log prior."""
    if cx.also is None:
        raise Malformed("the bayes relation needs the negative log-prior step (also)")
    step, ref = cx.step.expr, cx.ref.expr
    cx.zero(cx.concrete(summand(step) - summand(ref)), "data terms are the negative log-likelihood's (any n)")
    if split_penalty(ref)[1] != 0:
        raise Malformed("the negative log-likelihood of Bayes' rule has no prior terms")
    cx.zero(prior_summand(step) - prior_summand(cx.also.expr), "the rest is −log p(θ), weight by weight (any d)")


#: the design matrix (rows x_iᵀ = ∂η_i/∂θ) and the target vector of a stated closed form
X, Y = S.design, S.targets


def closed_form_parts(formula) -> tuple[sp.Expr, sp.Expr, sp.Expr, bool]:
    """(s, α, β, pushed) of a stated θ̂ = s·(α XᵀX + β I_d)⁻¹ Xᵀy, or of its push-through form
    s·Xᵀ(α XXᵀ + β I_n)⁻¹ y (``pushed``: equal to the first when β ≠ 0). Malformed for any other shape."""
    shape = "θ̂ must read s·(α·XᵀX + β·I)⁻¹·Xᵀy or s·Xᵀ(α·XXᵀ + β·I)⁻¹·y"
    s, matrices = _split(formula)
    if len(matrices) == 3 and isinstance(matrices[0], sp.Inverse) and matrices[1:] == [X.T, Y]:
        gram, identity, pushed = [X.T, X], sp.Identity(S.d), False
        inverted = matrices[0].arg
    elif len(matrices) == 3 and isinstance(matrices[1], sp.Inverse) and [matrices[0], matrices[2]] == [X.T, Y]:
        gram, identity, pushed = [X, X.T], sp.Identity(S.n), True
        inverted = matrices[1].arg
    else:
        raise Malformed(shape)
    alpha = beta = sp.S.Zero
    for term in inverted.args if isinstance(inverted, sp.MatAdd) else (inverted,):
        coeff, mats = _split(term)
        if mats == gram:
            alpha += coeff
        elif mats == [identity]:
            beta += coeff
        else:
            raise Malformed(shape)
    return s, alpha, beta, pushed


def _split(product) -> tuple[sp.Expr, list]:
    """(scalar factor, matrix factors in order) of a matrix product."""
    factors = product.args if isinstance(product, sp.MatMul) else (product,)
    return (sp.Mul(*[f for f in factors if not f.is_Matrix]), [f for f in factors if f.is_Matrix])


def _quadratic(cx, expr, var, label):
    """Claims that ``expr`` is a·var² + b·var + c in ``var``; returns (a, b, c)."""
    cx.zero(sp.diff(expr, var, 3), label)
    a = sp.diff(expr, var, 2).xreplace({var: 0}) / 2
    b = sp.diff(expr, var).xreplace({var: 0})
    return a, b, expr.xreplace({var: 0})


@claims("stationary")
def _stationary(cx):
    """The stated θ̂ zeroes the reference loss's gradient; the Hessian there is positive definite. Any n, any d.

    The per-observation loss is proved quadratic in η_i: ℓ_i = Aη_i² + b·y_iη_i + (η-free); the
    penalty, if any, Σ_j ρθ_j². With η = Xθ (a linear predictor: rows x_iᵀ = ∂η_i/∂θ) the
    gradient is (2A·XᵀX + 2ρ·I)θ + b·Xᵀy, so the minimiser is −b(2A·XᵀX + 2ρI)⁻¹Xᵀy. A stated
    s(α·XᵀX + β·I)⁻¹Xᵀy equals it for every X (of full rank) iff 2A·s = −b·α and 2ρ·s = −b·β.
    """
    m = cx.model
    if m.one_hot or not m.predictor.linear:
        raise Malformed("a closed form θ̂ needs one η_i per observation, linear in θ")
    eta, y = m.eta_obs(), m.y_obs()
    data, penalty = split_penalty(cx.ref.expr)
    a, by, _ = _quadratic(cx, cx.concrete(summand(data)), eta, "ℓ_i is quadratic in η_i (any n)")
    cx.zero(sp.diff(a, y), "the η_i² coefficient is free of y_i")
    cx.zero(sp.diff(by, y, 2), "the η_i coefficient is linear in y_i")
    cx.zero(by.xreplace({y: 0}), "the η_i coefficient vanishes at y_i = 0")
    b = sp.diff(by, y)
    rho = sp.S.Zero
    if penalty != 0:
        w = sp.Dummy("w", real=True)
        term = S.to_summand(penalty, index=S.j, size=S.d).xreplace({S.weights[S.j]: w})
        if term.has(S.weights) or term.has(S.j):
            raise Malformed("the penalty must be a sum over j of a function of θ_j alone")
        rho, lin, const = _quadratic(cx, term, w, "the penalty is Σ_j of a quadratic in θ_j (any d)")
        cx.zero(lin, "the penalty has no linear term")
        cx.zero(const, "the penalty vanishes at θ = 0")
        cx.positive(rho, "ρ > 0: the penalty is strictly convex")
    eta_values, comps = cx.theta_instance()
    e1 = eta_values[S.eta[1]]
    cx.zero(e1 - sum(t * sp.diff(e1, t) for t, _, _ in comps), "η_i = θᵀx_i, x_i = ∂η_i/∂θ (linear, no offset)")
    s, alpha, beta, pushed = closed_form_parts(cx.step.expr)
    if pushed:  # Xᵀ(αXXᵀ + βI)⁻¹ = (αXᵀX + βI)⁻¹Xᵀ needs β ≠ 0 (XXᵀ is singular when n > d)
        cx.positive(beta ** 2, "β ≠ 0: the push-through identity Xᵀ(αXXᵀ + βI)⁻¹ = (αXᵀX + βI)⁻¹Xᵀ holds")
    cx.zero(2 * a * s + b * alpha, "2A·s = −b·α: the XᵀX term of ∇L = 0 (any n, d)")
    cx.zero(2 * rho * s + b * beta, "2ρ·s = −b·β: the I term of ∇L = 0 (any n, d)")
    cx.positive(s ** 2 * b ** 2, "s ≠ 0 and b ≠ 0: θ̂ is not the zero vector")
    cx.positive(a, "A > 0: the Hessian 2A·XᵀX + 2ρI is positive definite (X of full column rank)")
