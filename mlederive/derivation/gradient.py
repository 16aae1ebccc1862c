"""From the loss to its gradient: ∂loss/∂η_i by the chain rule in textbook form, the curvature
and the Fisher information in η_i, ∇_θ through the predictor, and ∂/∂ of learned nuisance
parameters."""
from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from .. import symbolic as S
from ..documents import Step, StepBuilder
from ..links import Identity
from ..model import Model
from ..predictors import theta
from ..prose import prose
from ..relations import Differentiation
from .information import curvature_steps
from .likelihood import LossSteps
from .tidying import by_indicator, nonsmooth, shortest, tidy

#: a chain-rule factor with more operations than this is not written into the sentence (it would run off the line)
LONG_FACTOR = 16


@dataclass(frozen=True)
class GradientSteps:
    #: the gradients of the loss: {"theta": ∇_θ, name: ∂/∂name for each learned parameter}; with several
    #: predicted parameters, one ∇ per parameter's weights: {"theta_mu": ∇_θμ, "theta_sigma": ∇_θσ, …}
    gradients: dict
    #: one observation's ∂loss/∂η, before the reduction (a P × 1 matrix with several predicted parameters)
    grad_eta_obs: sp.Expr
    #: the ∇_θ step (handle; the first parameter's with several)
    grad_theta: Step
    #: one observation's ∂²loss/∂η² and its expectation over y (Fisher), before the reduction; None if absent
    #: (P × P matrices with several predicted parameters)
    curvature_obs: sp.Expr | None = None
    fisher_obs: sp.Expr | None = None


def gradient_steps(b: StepBuilder, model: Model, ls: LossSteps) -> GradientSteps:
    """∂loss/∂η_i for each predicted parameter, the curvature and the Fisher information, ∇_θ for each predicted
    parameter's weights, and ∂/∂ of learned parameters."""
    per_eta = [eta_gradient_step(b, model, ls, p) for p in model.predicted]
    curvature = fisher = None
    if not model.one_hot:
        curvature, fisher = curvature_steps(b, model, ls, [step for _, step in per_eta])
    gradients, theta_steps = {}, []
    for p, (grad_eta_obs, _) in zip(model.predicted, per_eta):
        step = theta_gradient_step(b, model, ls, p, grad_eta_obs)
        gradients["theta_" + p.name if model.several else "theta"] = step.expr
        theta_steps.append(step)
    loss_per_term = ls.loss_summand * ls.reduction_factor
    for name in model.learned:
        p = model.params[name]
        g = S.sample_sum(sp.expand(sp.diff(loss_per_term, p), multinomial=False))
        b.add(prose("Gradient with respect to $%s$", p), prose("$%s$ is learned too: differentiate the loss in $%s$ "
                                                                 "directly.", p, p),
              "∂loss/∂%s" % S.inline(p), S.partial_latex(r"\mathcal{L}", p), g, "derivative",
              Differentiation(wrt=p), id="grad-%s" % name, reference=ls.loss)
        gradients[name] = g
    grads = [g for g, _ in per_eta]
    grad_obs = sp.ImmutableMatrix(grads) if model.several else grads[0]
    per_obs = [None if st is None else st.expr / ls.reduction_factor for st in (curvature, fisher)]
    return GradientSteps(gradients, grad_obs, theta_steps[0], *per_obs)


def theta_gradient_step(b: StepBuilder, model: Model, ls: LossSteps, p, grad_eta_obs: sp.Expr) -> Step:
    """∇_θ loss (∇_θσ loss for one of several predicted parameters): the chain rule through the predictor."""
    jac = model.predictor.jacobian(S.i)
    expr = theta_gradient(grad_eta_obs, jac, ls.reduction_factor)
    if model.several:
        letter, tex = p.letter, sp.latex(p.symbol)
        return b.add(prose("Gradient with respect to $θ_%s$" % letter),
                     prose("Chain rule through the predictor of $%s$: $∂η_{%s,i}/∂θ_%s = %%s$; the other parameters' "
                           "weights do not reach $η_{%s,i}$." % (letter, letter, letter, letter), jac),
                     "∇_θ%s loss" % letter, r"\nabla_{\theta_{%s}} \mathcal{L}" % tex, expr, "derivative",
                     Differentiation(wrt=p.weights), id="grad-theta-" + p.name, reference=ls.loss)
    one_hot = model.one_hot
    return b.add(
        "Gradient with respect to $θ$", prose("Chain rule through the predictor: $∂η_i/∂θ = %s$.", jac)
        + (prose(" For class $k$, $θ_k$ is the weight vector of logit $k$.") if one_hot else prose("")),
        "∇_θk loss" if one_hot else "∇_θ loss",
        r"\nabla_{\theta_k} \mathcal{L}" if one_hot else r"\nabla_{\theta} \mathcal{L}",
        expr, "derivative", Differentiation(wrt=theta), id="grad-theta", reference=ls.loss,
        display=model.with_mean_named(expr))


def theta_gradient(grad_eta_obs: sp.Expr, jac: sp.Expr, reduction: sp.Expr) -> sp.Expr:
    """(1/n)·Σ_i ∂ℓ_i/∂η_i · ∂η_i/∂θ with each term in the form of the ∂/∂η step (sample_sum would multiply it out
    and gather it again, (Φ − y)/Φ as 1 − y/Φ); a factor free of i in front, as a textbook writes it."""
    per = sp.Mul(*[sp.factor_terms(f) if f.is_Add else f for f in sp.Mul.make_args(grad_eta_obs * jac)])
    coeff, rest = per.as_independent(S.i, as_Add=False)  # 2η_i − 2y_i: the 2 goes in front
    if rest.is_Add or not rest.has(S.i):
        return S.sample_sum(grad_eta_obs * jac * reduction)
    return reduction * coeff * sp.Sum(rest, (S.i, 1, S.n))


def eta_gradient_step(b: StepBuilder, model: Model, ls: LossSteps, p=None) -> tuple[sp.Expr, Step]:
    """∂loss/∂η_i (∂loss/∂η_σ,i for predicted parameter ``p`` among several), in textbook form."""
    p = p or model.predicted[0]
    grad_eta_obs, chain, why = gradient_in_eta(model, ls.loss_summand, ls.factor / ls.reduction_factor,
                                               ls.reduction_factor, p)
    shown = grad_eta_obs * ls.reduction_factor
    if model.several:
        letter, tex = p.letter, sp.latex(p.symbol)
        return grad_eta_obs, b.add(
            prose("Gradient with respect to $η_{%s,i}$" % letter), why, "∂loss/∂η_{%s,i}" % letter,
            r"\frac{\partial \mathcal{L}}{\partial \eta_{%s,i}}" % tex, shown, "derivative",
            Differentiation(wrt=p.eta[S.i], chain=chain), id="grad-eta-" + p.name, reference=ls.loss)
    one_hot = model.one_hot
    return grad_eta_obs, b.add(
        "Gradient with respect to $η_i$", why, "∂loss/∂η_ik" if one_hot else "∂loss/∂η_i",
        r"\frac{\partial \mathcal{L}}{\partial \eta_{ik}}" if one_hot else r"\frac{\partial \mathcal{L}}{\partial \eta_i}",
        shown, "derivative", Differentiation(wrt=model.eta_obs(), chain=chain),
        id="grad-eta", reference=ls.loss, display=model.with_mean_named(shown))


def gradient_in_eta(model: Model, loss_summand: sp.Expr, scale: sp.Expr, reduction: sp.Expr = sp.S.One, p=None):
    """∂(per-observation loss)/∂η of predicted parameter ``p`` (the first by default) in textbook form, the chain-rule
    factors (or None), and the why.

    ``scale`` is the θ-free factor that turned the negative log-likelihood into the
    per-observation loss, so the exponential-family score (μ − y)/φ is multiplied by it;
    ``reduction`` (1/n for a mean) is what the step shows on top. The chain-rule factors are
    those of the step as shown: ∂loss/∂μ_i (with the reduction) and dμ_i/dη_i (∂loss/∂σ_i and dσ_i/dη_σ,i).
    """
    p = p or model.predicted[0]
    fam, eta = model.family, model.eta_obs() if p is model.predicted[0] else p.eta[S.i]
    value = model.mu_obs() if p is model.predicted[0] else p.value[S.i]
    form_mu, why = _score_form(model, scale, scale * reduction) if p is model.predicted[0] else (None, None)
    if form_mu is not None:
        grad = form_mu.xreplace(model.inverses())
    else:
        grad = model.diff_eta(loss_summand, eta)
        if not nonsmooth(grad):  # simplify would turn sign(f) into a Piecewise that hides the kink
            grad = tidy(sp.simplify, grad)
            grad = by_indicator(grad) or grad  # a censored row's two cases, tidied once
    if fam.one_hot:
        return grad, None, why
    # the chain-rule factors, in the parameter's value: ∂loss/∂μ and dμ/dη
    log_mu = fam.expanded_log_density(model.y_obs(), model.mu_obs(), Identity(), model.values())
    kept_mu = [t for t in sp.Add.make_args(log_mu) if t.has(value) or any(t.has(q) for q in model.learned_params())]
    raw = sp.diff(-sp.Add(*kept_mu) * scale, value)
    dl_dmu = (tidy(sp.factor, raw) if not model.several else shortest([tidy(sp.factor, raw), raw])) * reduction
    dl_dmu = by_indicator(dl_dmu) or dl_dmu
    dmu_deta = p.link.chain_factor(value, eta)
    if why is None:
        why = prose("Here the loss is differentiated in $η_{%s,i}$ directly." % p.letter)
    if not model.several:
        if dmu_deta == 1:
            chain_why = prose("Chain rule with $dμ_i/dη_i = 1$: $∂loss/∂η_i = ∂loss/∂μ_i = %s$.", dl_dmu)
        else:
            chain_why = prose("Chain rule: $∂loss/∂η_i = ∂loss/∂μ_i · dμ_i/dη_i$ with $∂loss/∂μ_i = %s$ and "
                              "$dμ_i/dη_i = %s$.", dl_dmu, dmu_deta)
        return grad, (dl_dmu, dmu_deta), chain_why + prose(" ") + why
    v, e = p.letter + "_i", "η_{%s,i}" % p.letter
    if sp.count_ops(dl_dmu) <= LONG_FACTOR:
        chain_why = prose("Chain rule: $∂loss/∂%s = ∂loss/∂%s · d%s/d%s$ with $∂loss/∂%s = %%s$ and $d%s/d%s = %%s$, "
                          "the other parameters held fixed." % (e, v, v, e, v, v, e), dl_dmu, dmu_deta)
    else:  # a factor too long for a sentence: named, and checked with the others (the step's payload)
        chain_why = prose("Chain rule: $∂loss/∂%s = ∂loss/∂%s · d%s/d%s$ with $d%s/d%s = %%s$, the other parameters "
                          "held fixed." % (e, v, v, e, v, e), dmu_deta)
    return grad, (dl_dmu, dmu_deta), chain_why + prose(" ") + why


def _score_words(phi):
    """(μ_i − y_i)/φ with dispersion φ = σ² — or μ_i − y_i where the dispersion is 1 (say nothing of a φ that a
    probit's φ(η) could be mistaken for)."""
    if phi == 1:
        return prose("$μ_i − y_i$ (the dispersion is 1)")
    if isinstance(phi, sp.Symbol) and phi.name == "phi":  # the family's own φ (the Tweedie's): nothing to equate
        return prose("$(μ_i − y_i)/φ$ with dispersion $φ$")
    return prose("$(μ_i − y_i)/φ$ with dispersion $φ = %s$", phi)


def _score_form(model: Model, scale: sp.Expr, factor: sp.Expr):
    """(the gradient written in μ, the why) from the variance function; (None, why) without one.

    ``factor`` is the loss's own positive factor (the rescaling step's: 2σ²/n for the mean squared error)."""
    fam, link = model.family, model.link
    y_i, mu_i = model.y_obs(), model.mu_obs()
    phi = fam.dispersion(model.values())
    variance = fam.variance(mu_i, model.values())
    times = prose(", times the loss's factor $%s$", factor) if factor != 1 else prose("")
    if model.pairing.status == "canonical" and phi is not None:
        # (dμ/dη)/V(μ) is constant for a canonical link: 1 for identity/log/logit, −1 for 1/μ, −½ for 1/μ²
        c = sp.Integer(1) if fam.one_hot else sp.cancel(link.inverse_deriv_in_mu(mu_i) / variance)
        why = prose("Canonical link: the gradient takes the form %s%s.", _score_words(phi), times)
        if c != 1:
            why += prose(" Here $g$ is the %s while the natural parameter is $%s·g$, hence the constant factor $%s$.",
                         link.title, c, c)
        if fam.one_hot:
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
