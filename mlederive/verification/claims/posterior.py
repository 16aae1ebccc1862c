"""Claims of the MAP steps (the negative log-prior, Bayes' rule) and of the closed-form
minimiser (θ̂ of the normal equations)."""
from __future__ import annotations

import sympy as sp

from ... import symbolic as S
from ...predictors import CONCRETE_DIM
from . import UNROLL_SIZE, Malformed, claims, split_penalty, summand


@claims("negative-log")
def _negative_log(cx):
    """−log of a product over the weights, at d = 2 written out."""
    cx.zero(cx.c(cx.step.expr) + sp.log(cx.c(cx.ref.expr)), "step = −log(reference) at d = 2")


@claims("bayes")
def _bayes(cx):
    """−log posterior + const = the reference's negative log-likelihood + the ``also`` step's −log prior."""
    if cx.also is None:
        raise Malformed("the bayes relation needs the negative log-prior step (also)")
    step, ref = cx.step.expr, cx.ref.expr
    cx.zero(cx.c(summand(step) - summand(ref)), "data terms are the negative log-likelihood's")
    cx.zero(cx.c(split_penalty(step)[1] - split_penalty(ref)[1]) - cx.c(cx.also.expr), "the rest is −log p(θ) (d = 2)")
    cx.zero(cx.unrolled(step) - cx.unrolled(ref) - cx.c(cx.also.expr), "unrolled n=%d, d = 2" % UNROLL_SIZE)


def concrete_point(formula) -> tuple[list, sp.Expr]:
    """θ̂ as a matrix formula in X (n × d) and y, made concrete at n = 3, d = 2.

    Returns (numerators, denominator): θ̂_c = numerators[c] / denominator, the denominator
    being det of the inverted matrix (adj(M)/det(M): polynomials, nothing to simplify).
    """
    rows, cols = UNROLL_SIZE, CONCRETE_DIM
    dets = []

    def explicit(e):
        if isinstance(e, sp.MatrixSymbol):
            if e.shape[1] == 1:
                return sp.Matrix(rows, 1, lambda r, c: S.y[r + 1])
            return sp.Matrix(rows, cols, lambda r, c: S.x[r + 1, c + 1])
        if isinstance(e, sp.Identity):
            return sp.eye(cols)
        if isinstance(e, sp.Transpose):
            return explicit(e.arg).T
        if isinstance(e, sp.Inverse):  # adj(M), with det(M) kept aside; M.inv() would first simplify
            m = explicit(e.arg)
            dets.append(m.det(method="berkowitz"))
            return m.adjugate(method="berkowitz")
        if isinstance(e, sp.MatMul):
            scalar, out = sp.S.One, None
            for a in e.args:
                if a.is_Matrix:
                    out = explicit(a) if out is None else out * explicit(a)
                else:
                    scalar *= a
            return scalar * out
        if isinstance(e, sp.MatAdd):
            return sum((explicit(a) for a in e.args[1:]), explicit(e.args[0]))
        raise Malformed("cannot evaluate %s in the stated θ̂" % type(e).__name__)

    numerators = list(explicit(formula))
    return numerators, sp.Mul(*dets)


@claims("stationary")
def _stationary(cx):
    """The stated θ̂ zeroes the reference loss's gradient in every weight; the Hessian there is positive definite.

    The loss written out for n = 3 is quadratic in θ: its Hessian H is proved free of θ, so the
    gradient is exactly g(θ) = g(0) + Hθ. With θ̂ = N/D (D = det of the inverted matrix, positive
    for full-rank X), g(θ̂) = 0 is D·g(0) + H·N = 0: a polynomial identity, no fractions.
    """
    eta_values, comps = cx.theta_instance()
    whole = cx.unrolled(cx.ref.expr).xreplace(eta_values)
    thetas = [t for t, _, _ in comps]
    numerators, det = concrete_point(cx.step.expr)
    grad = [sp.diff(whole, t) for t in thetas]
    hess = sp.Matrix(len(thetas), len(thetas), lambda r, c: sp.diff(grad[r], thetas[c]))
    for entry in dict.fromkeys(hess):  # distinct entries, in a fixed order (seeds follow the claim order)
        for t in thetas:
            cx.zero(sp.diff(entry, t), "the loss is quadratic in θ: its Hessian is free of %s" % t)
    at_zero = {t: 0 for t in thetas}
    for r, t in enumerate(thetas):
        claim = det * grad[r].xreplace(at_zero) + sum(hess[r, c] * numerators[c] for c in range(len(thetas)))
        cx.zero(claim, "unrolled n=%d: det·∂L/∂%s = 0 at θ̂" % (UNROLL_SIZE, t))
    cx.positive(det, "the inverted matrix has a positive determinant (X of full rank)")
    cx.positive(hess[0, 0], "Hessian: leading entry positive")
    cx.positive(hess.det(), "Hessian: determinant positive (a minimum)")
