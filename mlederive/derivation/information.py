"""The curvature of the loss in η and its expectation over y, the Fisher information: a number per observation with
one predicted parameter, a P × P matrix with several (mixed partials ∂²/∂η_p∂η_q, and E over y through the moments
the family declares)."""
from __future__ import annotations

import sympy as sp

from ..documents import Step, StepBuilder
from ..model import Model
from ..moments import decompose, expectation_terms
from ..prose import join, prose
from ..relations import Differentiation, Expectation
from .likelihood import LossSteps
from .tidying import by_indicator, by_outcome, factor_cancel, nonsmooth, shortest, tidy


def curvature_steps(b: StepBuilder, model: Model, ls: LossSteps, grad_steps: list) -> tuple[Step, Step | None]:
    """The curvature in η and the Fisher information (None where the family cannot give it)."""
    if model.several:
        return _matrix_steps(b, model, ls)
    return _scalar_steps(b, model, grad_steps[0], ls.reduction_factor)


def _scalar_steps(b: StepBuilder, model: Model, grad_eta: Step, reduction: sp.Expr) -> tuple[Step, Step | None]:
    """∂²loss/∂η_i², and its expectation over y_i (the Fisher information) where the family has V(μ) and φ."""
    fam, mu_i, y_i = model.family, model.mu_obs(), model.y_obs()
    curvature = model.diff_eta(grad_eta.expr)
    if not nonsmooth(curvature):
        tidied = tidy(factor_cancel, curvature)
        split = by_indicator(tidied)
        curvature = split if split is not None else shortest(
            [tidied] + [f for f in [by_outcome(model, tidied, reduction)] if f is not None])
    canonical = model.pairing.status == "canonical"
    has_variance = fam.variance(mu_i, model.params) is not None
    why = prose("Differentiate $∂loss/∂η_i$ once more.")
    if canonical and has_variance:
        why += prose(" Canonical link: the curvature is $(dμ_i/dη_i)/φ$ times the positive factor of the loss — free "
                     "of $y_i$ and positive — so each term is convex in $η_i$ and, for a linear predictor "
                     "$η_i = θᵀx_i$, the loss is convex in $θ$ (any minimum is global).")
    curvature_step = b.add("Curvature in $η_i$", why, "∂²loss/∂η_i²", r"\frac{\partial^2 \mathcal{L}}{\partial \eta_i^2}",
                           curvature, "derivative",
                           Differentiation(wrt=model.eta_obs(), order=2, convex=canonical and has_variance),
                           id="curvature", reference=grad_eta)
    if has_variance and fam.dispersion(model.params) is not None:
        mean = model.mean()
        fisher = tidy(factor_cancel, curvature.subs(y_i, mean))
        return curvature_step, b.add("Fisher information in $η_i$", prose(
            "The expected curvature over $y_i ∼ p(y | μ_i)$: the curvature is linear in $y_i$, so its expectation "
            "puts $E[y_i] = μ_i$ in place of $y_i$%s", " — the same as the curvature itself, as for every canonical "
            "link." if canonical else "."),
              "E[∂²loss/∂η_i²]", r"\mathbb{E}\left[\frac{\partial^2 \mathcal{L}}{\partial \eta_i^2}\right]",
              fisher, "expectation", Expectation(mean=mean), id="fisher")
    parts = None if nonsmooth(curvature) else expected(model, sp.ImmutableMatrix([[curvature]]))
    if parts is None:
        return curvature_step, None
    moments, coefficients, (fisher,) = parts
    return curvature_step, b.add("Fisher information in $η_i$", prose(
        "The expected curvature over $y_i ∼ p(y | μ_i)$: the curvature is a combination of functions of $y_i$ "
        "whose expectations the %s family gives — %s, each proved against its density — so the expectation "
        "puts them in by linearity.", fam.title, _moment_list(model, moments, coefficients)),
        "E[∂²loss/∂η_i²]", r"\mathbb{E}\left[\frac{\partial^2 \mathcal{L}}{\partial \eta_i^2}\right]",
        fisher, "expectation", Expectation(moments=tuple(moments), coefficients=tuple(coefficients)), id="fisher")


def _entry(expr: sp.Expr) -> sp.Expr:
    return expr if nonsmooth(expr) else tidy(factor_cancel, expr)


def _matrix_steps(b: StepBuilder, model: Model, ls: LossSteps) -> tuple[Step, Step | None]:
    """The Hessian of one observation's loss in (η_μ,i, η_σ,i, …), and its expectation, the Fisher matrix."""
    etas = model.etas()
    term = ls.loss_summand * ls.reduction_factor
    first = [model.diff_eta(term, e) for e in etas]
    hessian = sp.ImmutableMatrix(len(etas), len(etas),
                                 lambda p, q: _entry(model.diff_eta(first[p], etas[q])))
    names = join([prose("$η_{%s,i}$" % p.letter) for p in model.predicted], ", ", " and ")
    parts = expected(model, hessian)
    notes = () if parts is not None else (prose(
        "No Fisher matrix follows: an entry of the Hessian needs an expectation over $y_i$ that the %s family does not "
        "declare (%s), so the expected Hessian is not written out.", model.family.title,
        prose(model.family.moments_missing) if model.family.moments_missing else prose("it declares none")),)
    hessian_step = b.add(
        "Hessian in $η_i$", prose("Differentiate one observation's loss twice, in every pair of %s: the diagonal is "
                                  "each parameter's curvature, the off-diagonal entries the mixed partials "
                                  "$∂²loss/∂η_{p,i}∂η_{q,i}$ (equal by symmetry).", names),
        "∂²loss/∂η_i∂η_iᵀ", r"\frac{\partial^2 \mathcal{L}}{\partial \boldsymbol{\eta}_i \partial \boldsymbol{\eta}_i^{\top}}",
        hessian, "derivative", Differentiation(wrt=tuple(etas), order=2), id="hessian", reference=ls.loss,
        display=in_values(model, hessian, ls.reduction_factor), notes=notes)
    if parts is None:
        return hessian_step, None
    moments, coefficients, entries = parts
    fisher = sp.ImmutableMatrix(hessian.rows, hessian.cols, entries)
    why = prose("The expected Hessian over $y_i ∼ p(y | %s)$. Each entry is a combination of functions of $y_i$ whose "
                "expectations the %s family gives — %s, each proved against its density — so the expectation puts "
                "them in by linearity.", ", ".join(p.letter + "_i" for p in model.predicted), model.family.title,
                _moment_list(model, moments, coefficients))
    if any(fisher[p, q] == 0 for p in range(fisher.rows) for q in range(fisher.cols) if p != q):
        why += prose(" A zero off the diagonal makes those two parameters orthogonal: their scores are uncorrelated, "
                     "and the estimates of their weights asymptotically independent.")
    return hessian_step, b.add(
        "Fisher information matrix", why, "E[∂²loss/∂η_i∂η_iᵀ]",
        r"\mathbb{E}\left[\frac{\partial^2 \mathcal{L}}{\partial \boldsymbol{\eta}_i \partial \boldsymbol{\eta}_i^{\top}}\right]",
        fisher, "expectation", Expectation(moments=tuple(moments), coefficients=tuple(coefficients)), id="fisher",
        display=in_values(model, fisher, ls.reduction_factor))


def _moment_list(model: Model, moments: list, coefficients: list):
    """The moments an expectation used, as a reader states them — in μ_i, σ_i … (the same declarations, at the
    parameters' values): "E[(y_i − μ_i)²] = σ_i²"."""
    shown = model.family.moments(model.y_obs(), model.mu_obs(), model.values())
    used = [shown[j] for j in range(len(moments)) if any(cs[j] != 0 for _, cs in coefficients)]
    return join([prose("$E[%s] = %s$", m, v) for m, v in used], ", ", " and ") if used else prose("none")


def in_values(model: Model, matrix: sp.MatrixBase, reduction: sp.Expr):
    """``matrix`` as a textbook writes it: in the parameters' values (1/σ_i² for e^(−2η_σ,i)) where that is shorter,
    the reduction's 1/n in front. Shown only: the verifier proves it equal with each value = g⁻¹ of its η."""
    from .. import symbolic as S

    back = {p.eta[S.i]: p.link(p.value[S.i]) for p in model.predicted}
    shown = matrix.applyfunc(lambda e: _entry(S.expand_functions(e.xreplace(back))))
    if any(e.has(p.eta) for e in shown for p in model.predicted) or \
            sum(map(sp.count_ops, shown)) >= sum(map(sp.count_ops, matrix)):
        shown = matrix
    if reduction == 1:
        return None if shown is matrix else shown
    return sp.MatMul(reduction, shown.applyfunc(lambda e: _entry(e / reduction)), evaluate=False)


def expected(model: Model, hessian: sp.MatrixBase):
    """(the moments, each entry's coefficients (c₀, (c₁, …)), each entry's expectation) — or None when an entry is not
    a combination of the moments the family declares."""
    moments = expectation_terms(model)
    if moments is None:
        return None
    centre = model.family.moment_centre(model.mean(), model.values_in_eta())
    coefficients, entries = [], []
    for h in hessian:
        parts = decompose(h, model.y_obs(), centre, moments)
        if parts is None:
            return None
        c0, cs = parts
        coefficients.append((c0, tuple(cs)))
        entry = tidy(factor_cancel, c0 + sp.Add(*[c * value for c, (_, value) in zip(cs, moments)]))
        # (1/η)^k·η^k = 1 where η > 0 (SymPy cannot tell): the verifier proves the entry, so a wrong merge is caught
        entries.append(shortest([entry, tidy(factor_cancel, sp.powsimp(entry, force=True))]))
    return moments, coefficients, entries
