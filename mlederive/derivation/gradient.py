"""From the loss to its gradient: ∂loss/∂η_i by the chain rule in textbook form, the curvature
and the Fisher information in η_i, ∇_θ through the predictor, and ∂/∂ of learned nuisance
parameters."""
from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from .. import symbolic as S
from ..budget import bounded
from ..documents import Step, StepBuilder
from ..links import Identity
from ..model import Model
from ..predictors import theta
from ..prose import prose
from ..relations import Differentiation, Expectation
from .likelihood import LossSteps


def _factor_cancel(e):
    return sp.factor(sp.cancel(e))


#: above this many operations an expression is shown as differentiation leaves it (factor or simplify on
#: it could take seconds); the largest the catalog tidies has about 330
TIDY_OPS = 400
#: a safety net only: every tidy the catalog makes finishes in well under a second
TIDY_SAFETY = 10.0


def tidy(rewrite, expr: sp.Expr) -> sp.Expr:
    """``rewrite(expr)`` when expr is small enough, else expr: what a step shows depends on the
    expression alone, never on how loaded the machine is."""
    if sp.count_ops(expr) > TIDY_OPS:
        return expr
    return bounded(rewrite, expr, TIDY_SAFETY)


def shortest(candidates) -> sp.Expr:
    """The equal form with the fewest operations (what a reader has to read); the first on a tie."""
    return min(candidates, key=lambda e: sp.count_ops(e))


def by_outcome(model: Model, expr: sp.Expr, factor: sp.Expr):
    """A binary outcome's y·A + (1 − y)·B, each case tidied (the y = 1 and the y = 0 term), times ``factor``;
    None unless the outcome lies in [0, 1] and expr is linear in y (then the form is an identity)."""
    y_i = model.y_obs()
    if not model.family.support.is_subset(sp.Interval(0, 1)) or sp.diff(expr, y_i, 2) != 0:
        return None
    per = expr / factor
    one, zero = (tidy(_factor_cancel, per.subs(y_i, v)) for v in (1, 0))
    return factor * (y_i * one + (1 - y_i) * zero)


def _nonsmooth(expr: sp.Expr) -> bool:
    return expr.has(sp.sign, sp.DiracDelta, sp.Heaviside, sp.Abs)


@dataclass(frozen=True)
class GradientSteps:
    #: the gradients of the loss: {"theta": ∇_θ, name: ∂/∂name for each learned parameter}
    gradients: dict
    #: one observation's ∂loss/∂η, before the reduction
    grad_eta_obs: sp.Expr
    #: the ∇_θ step (handle)
    grad_theta: Step
    #: one observation's ∂²loss/∂η² and its expectation over y (Fisher), before the reduction; None if absent
    curvature_obs: sp.Expr | None = None
    fisher_obs: sp.Expr | None = None


def gradient_steps(b: StepBuilder, model: Model, ls: LossSteps) -> GradientSteps:
    """Steps 9–11: ∂loss/∂η_i, the curvature and Fisher information, ∇_θ, and ∂/∂ of learned parameters."""
    fam = model.family
    grad_eta_obs, grad_eta_step = eta_gradient_step(b, model, ls)
    if not fam.vector:
        curvature, fisher = curvature_steps(b, model, grad_eta_step, ls.reduction_factor)
    jac = model.predictor.jacobian(S.i)
    grad_theta = b.add(
        "Gradient with respect to $θ$", prose("Chain rule through the predictor: $∂η_i/∂θ = %s$.", jac)
        + (prose(" For class $k$, $θ_k$ is the weight vector of logit $k$.") if fam.vector else prose("")),
        "∇_θk loss" if fam.vector else "∇_θ loss",
        r"\nabla_{\theta_k} \mathcal{L}" if fam.vector else r"\nabla_{\theta} \mathcal{L}",
        theta_gradient(grad_eta_obs, jac, ls.reduction_factor), "derivative", Differentiation(wrt=theta),
        id="grad-theta", reference=ls.loss,
        display=model.with_mean_named(theta_gradient(grad_eta_obs, jac, ls.reduction_factor)))
    gradients = {"theta": grad_theta.expr}
    loss_per_term = ls.loss_summand * ls.reduction_factor
    for name in model.learned:
        p = model.params[name]
        g = S.sample_sum(sp.expand(sp.diff(loss_per_term, p), multinomial=False))
        b.add(prose("Gradient with respect to $%s$", p), prose("$%s$ is learned too: differentiate the loss in $%s$ "
                                                                 "directly.", p, p),
              "∂loss/∂%s" % S.inline(p), S.partial_latex(r"\mathcal{L}", p), g, "derivative",
              Differentiation(wrt=p), id="grad-%s" % name, reference=ls.loss)
        gradients[name] = g
    if fam.vector:
        return GradientSteps(gradients, grad_eta_obs, grad_theta)
    per_obs = [None if e is None else e / ls.reduction_factor for e in (curvature.expr, fisher and fisher.expr)]
    return GradientSteps(gradients, grad_eta_obs, grad_theta, *per_obs)


def theta_gradient(grad_eta_obs: sp.Expr, jac: sp.Expr, reduction: sp.Expr) -> sp.Expr:
    """(1/n)·Σ_i ∂ℓ_i/∂η_i · ∂η_i/∂θ with each term in the form of the ∂/∂η step (sample_sum would multiply it out
    and gather it again, (Φ − y)/Φ as 1 − y/Φ); a factor free of i in front, as a textbook writes it."""
    per = sp.Mul(*[sp.factor_terms(f) if f.is_Add else f for f in sp.Mul.make_args(grad_eta_obs * jac)])
    coeff, rest = per.as_independent(S.i, as_Add=False)  # 2η_i − 2y_i: the 2 goes in front
    if rest.is_Add or not rest.has(S.i):
        return S.sample_sum(grad_eta_obs * jac * reduction)
    return reduction * coeff * sp.Sum(rest, (S.i, 1, S.n))


def eta_gradient_step(b: StepBuilder, model: Model, ls: LossSteps) -> tuple[sp.Expr, Step]:
    grad_eta_obs, chain, why = gradient_in_eta(model, ls.loss_summand, ls.factor / ls.reduction_factor,
                                               ls.reduction_factor)
    vector = model.family.vector
    return grad_eta_obs, b.add(
        "Gradient with respect to $η_i$", why, "∂loss/∂η_ik" if vector else "∂loss/∂η_i",
        r"\frac{\partial \mathcal{L}}{\partial \eta_{ik}}" if vector else r"\frac{\partial \mathcal{L}}{\partial \eta_i}",
        grad_eta_obs * ls.reduction_factor, "derivative", Differentiation(wrt=model.eta_obs(), chain=chain),
        id="grad-eta", reference=ls.loss, display=model.with_mean_named(grad_eta_obs * ls.reduction_factor))


def curvature_steps(b: StepBuilder, model: Model, grad_eta: Step, reduction: sp.Expr) -> tuple[Step, Step | None]:
    """∂²loss/∂η_i², and its expectation over y_i (the Fisher information) where the family has V(μ) and φ.

    Returns both steps (the second None when the family has no variance function)."""
    fam, mu_i, y_i = model.family, model.mu_obs(), model.y_obs()
    curvature = model.diff_eta(grad_eta.expr)
    if not _nonsmooth(curvature):
        tidied = tidy(_factor_cancel, curvature)
        curvature = shortest([tidied] + [f for f in [by_outcome(model, tidied, reduction)] if f is not None])
    canonical = model.pairing.status == "canonical"
    has_variance = fam.variance(mu_i, model.params) is not None
    why = prose("Differentiate $∂loss/∂η_i$ once more.")
    if canonical and has_variance:
        why += prose(" Canonical link: the curvature is $(dμ_i/dη_i)/φ$ times the positive factor of the loss — free "
                     "of $y_i$ and positive — so each term is convex in $η_i$ and, for a linear predictor "
                     "$η_i = θᵀx_i$, the loss is convex in $θ$ (any minimum is global).")
    curvature_step = b.add("Curvature in $η_i$", why, "∂²loss/∂η_i²", r"\frac{\partial^2 \mathcal{L}}{\partial \eta_i^2}", curvature,
          "derivative", Differentiation(wrt=model.eta_obs(), order=2, convex=canonical and has_variance),
          id="curvature", reference=grad_eta)
    if has_variance and fam.dispersion(model.params) is not None:
        mean = model.mean()
        fisher = tidy(_factor_cancel, curvature.subs(y_i, mean))
        return curvature_step, b.add("Fisher information in $η_i$", prose(
            "The expected curvature over $y_i ∼ p(y | μ_i)$: the curvature is linear in $y_i$, so its expectation "
            "puts $E[y_i] = μ_i$ in place of $y_i$%s", " — the same as the curvature itself, as for every canonical "
            "link." if canonical else "."),
              "E[∂²loss/∂η_i²]", r"\mathbb{E}\left[\frac{\partial^2 \mathcal{L}}{\partial \eta_i^2}\right]",
              fisher, "expectation", Expectation(mean=mean), id="fisher")
    return curvature_step, None


def gradient_in_eta(model: Model, loss_summand: sp.Expr, scale: sp.Expr, reduction: sp.Expr = sp.S.One):
    """∂(per-observation loss)/∂η in textbook form, the chain-rule factors (or None), and the why.

    ``scale`` is the θ-free factor that turned the negative log-likelihood into the
    per-observation loss, so the exponential-family score (μ − y)/φ is multiplied by it;
    ``reduction`` (1/n for a mean) is what the step shows on top. The chain-rule factors are
    those of the step as shown: ∂loss/∂μ_i (with the reduction) and dμ_i/dη_i.
    """
    fam, link = model.family, model.link
    mu_i = model.mu_obs()
    form_mu, why = _score_form(model, scale, scale * reduction)
    if form_mu is not None:
        grad = form_mu.subs(mu_i, model.mean())
    else:
        grad = model.diff_eta(loss_summand)
        if not _nonsmooth(grad):  # simplify would turn sign(f) into a Piecewise that hides the kink
            grad = tidy(sp.simplify, grad)
    if fam.vector:
        return grad, None, why
    # the chain-rule factors, in μ: ∂loss/∂μ and dμ/dη
    log_mu = fam.expanded_log_density(model.y_obs(), mu_i, Identity(), model.params)
    kept_mu = [t for t in sp.Add.make_args(log_mu) if t.has(mu_i) or any(t.has(p) for p in model.learned_params())]
    dl_dmu = tidy(sp.factor, sp.diff(-sp.Add(*kept_mu) * scale, mu_i)) * reduction
    dmu_deta = link.chain_factor(mu_i, model.eta_obs())
    if dmu_deta == 1:
        chain_why = prose("Chain rule with $dμ_i/dη_i = 1$: $∂loss/∂η_i = ∂loss/∂μ_i = %s$.", dl_dmu)
    else:
        chain_why = prose("Chain rule: $∂loss/∂η_i = ∂loss/∂μ_i · dμ_i/dη_i$ with $∂loss/∂μ_i = %s$ and "
                          "$dμ_i/dη_i = %s$.", dl_dmu, dmu_deta)
    return grad, (dl_dmu, dmu_deta), chain_why + prose(" ") + why


def _score_words(phi):
    """(μ_i − y_i)/φ with dispersion φ = σ² — or μ_i − y_i where the dispersion is 1 (say nothing of a φ that a
    probit's φ(η) could be mistaken for)."""
    if phi == 1:
        return prose("$μ_i − y_i$ (the dispersion is 1)")
    return prose("$(μ_i − y_i)/φ$ with dispersion $φ = %s$", phi)


def _score_form(model: Model, scale: sp.Expr, factor: sp.Expr):
    """(the gradient written in μ, the why) from the variance function; (None, why) without one.

    ``factor`` is the loss's own positive factor (the rescaling step's: 2σ²/n for the mean squared error)."""
    fam, link = model.family, model.link
    y_i, mu_i = model.y_obs(), model.mu_obs()
    phi = fam.dispersion(model.params)
    variance = fam.variance(mu_i, model.params)
    times = prose(", times the loss's factor $%s$", factor) if factor != 1 else prose("")
    if model.pairing.status == "canonical" and phi is not None:
        # (dμ/dη)/V(μ) is constant for a canonical link: 1 for identity/log/logit, −1 for 1/μ, −½ for 1/μ²
        c = sp.Integer(1) if fam.vector else sp.cancel(link.inverse_deriv_in_mu(mu_i) / variance)
        why = prose("Canonical link: the gradient takes the form %s%s.", _score_words(phi), times)
        if c != 1:
            why += prose(" Here $g$ is the %s while the natural parameter is $%s·g$, hence the constant factor $%s$.",
                         link.title, c, c)
        if fam.vector:
            why += prose(" For softmax, per observation, $Σ_m ∂(−log p)/∂μ_m · ∂μ_m/∂η_k = Σ_m (−y_m/μ_m)·μ_m(δ_mk − μ_k)"
                         " = μ_k Σ_m y_m − y_k = μ_k − y_k$.")
        return scale * c * (mu_i - y_i) / phi, why
    if phi is not None and variance is not None:
        dmu = link.chain_factor(mu_i, model.eta_obs())
        why = prose("Non-canonical link: beside %s%s, the gradient carries the factor $(dμ_i/dη_i)/V(μ_i) = %s$.",
                    _score_words(phi), times, dmu / variance)
        return shortest([sp.cancel(scale * (mu_i - y_i) * dmu / (phi * variance)),
                         scale * (mu_i - y_i) * dmu / (phi * variance)]), why
    return None, prose("The %s family has no variance function, so there is no $(μ_i − y_i)/φ$ form: this is the "
                       "derivative itself.", fam.title)
