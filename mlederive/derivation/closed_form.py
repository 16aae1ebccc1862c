"""Closed forms: where the loss is least squares in θ, the gradient set to zero solves it —
the normal equations θ̂ = (XᵀX)⁻¹Xᵀy, or ridge regression's (XᵀX + λI)⁻¹Xᵀy under a Gaussian prior.

Whether they apply is read off the derived loss, not off the family's name: the
per-observation loss must be a(η_i − y_i)² plus terms free of η_i, with a > 0, and η_i
linear in θ (and a prior, if any, must add a quadratic penalty).
"""
from __future__ import annotations

import sympy as sp

from .. import symbolic as S
from ..documents import MapSummary, Step, StepBuilder
from ..model import Model
from ..prose import prose

#: the design matrix (rows x_iᵀ) and the target vector of the normal equations
X, Y = S.design, S.targets


def least_squares(model: Model, loss_summand: sp.Expr) -> bool:
    """The loss is Σ_i a(η_i − y_i)² + (η-free terms), a > 0, with η linear in θ."""
    if model.one_hot or not model.predictor.linear:
        return False
    eta, y = model.eta_obs(), model.y_obs()
    try:
        poly = sp.Poly(sp.expand(loss_summand), eta)
    except sp.PolynomialError:
        return False
    if poly.degree() != 2:
        return False
    a, b, _ = poly.all_coeffs()
    return a.is_positive is True and not a.has(S.i) and sp.expand(b + 2 * a * y) == 0


def has_normal_equations(model: Model, loss_summand: sp.Expr) -> bool:
    return least_squares(model, loss_summand) and (model.prior is None or model.prior.quadratic)


def normal_equations_step(b: StepBuilder, loss: Step, posterior: MapSummary | None, map_loss: Step | None) -> Step:
    if posterior is None:
        return b.add(
            "Set the gradient to zero: the normal equations", "The loss is quadratic in $θ$. $∇_θ loss = 0$ reads "
            "$Σ_i (θᵀx_i − y_i)·x_i = 0$, that is $XᵀXθ = Xᵀy$ with $X$ the $n × d$ matrix of rows $x_iᵀ$. When $X$ "
            "has full column rank, $XᵀX$ is invertible and positive definite, so this is the unique (global) minimum.",
            "θ̂", r"\hat{\theta}", (X.T * X).I * X.T * Y, "stationary", id="normal-equations", reference=loss)
    lam = posterior.lam
    return b.add(
        "Set the gradient to zero: ridge regression in closed form", prose(
            "The regularised loss is quadratic in $θ$. $∇_θ = 0$ reads $(XᵀX + λI)θ = Xᵀy$ with $λ = %s$; $XᵀX + λI$ "
            "is positive definite for every $X$ ($λ > 0$), so the minimum exists, is unique, and is the MAP estimate.",
            lam),
        "θ̂_MAP", r"\hat{\theta}_{\mathrm{MAP}}", (X.T * X + lam * sp.Identity(S.d)).I * X.T * Y, "stationary",
        id="normal-equations", reference=map_loss)
