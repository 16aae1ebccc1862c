"""The derivation pipeline: recipe → model → the list of steps, in order.

Each function below builds one step from the previous ones; none of them
checks anything (the verifier does). The steps follow the reference articles:
model, density with the link substituted, i.i.d. likelihood, log, expanded
log terms, θ-free terms dropped, negation, rescaling to the named loss, and
the gradient by the chain rule.
"""
from __future__ import annotations

from dataclasses import replace

import sympy as sp

from . import symbolic as S
from .budget import bounded
from .families import FAMILIES
from .links import LINKS, Identity
from .losses import conventions, recognise
from .model import Model
from .predictors import PREDICTORS, theta
from .priors import PRIORS
from .recipe import Recipe, load_recipe
from .steps import Derivation, Step, Table
from .verify import verify


def build_model(recipe: Recipe) -> Model:
    family, link = recipe.family_obj(), recipe.link_obj()
    params = {p.name: p.symbol for p in family.params}
    learned = tuple(name for name, state in recipe.parameters.items() if state == "learned")
    prior = PRIORS[recipe.prior] if recipe.prior else None
    return Model(family, link, PREDICTORS[recipe.predictor], params, learned, recipe.classes, family.pairing(link),
                 prior)


def _depends_on_theta(term: sp.Expr, model: Model) -> bool:
    """θ reaches a term through η, a learned nuisance parameter, or (a prior's term) the weights θ_j."""
    return term.has(S.eta) or term.has(S.weights) or any(term.has(p) for p in model.learned_params())


def _split_theta(summand: sp.Expr, model: Model):
    kept, dropped = [], []
    for term in sp.Add.make_args(summand):
        (kept if _depends_on_theta(term, model) else dropped).append(term)
    return sp.Add(*kept), dropped


def _pretty_list(exprs) -> str:
    return ", ".join(S.inline(e) for e in exprs)


def _describe_model(recipe: Recipe, model: Model) -> str:
    fam = model.family
    known = [n for n in model.params if n not in model.learned]
    parts = ["y_i | x_i ~ %s" % fam.notation, model.link.title, model.predictor.formula]
    if known:
        parts.append("known: %s" % ", ".join(known))
    if model.learned:
        parts.append("learned with θ: %s" % ", ".join(model.learned))
    if fam.vector:
        parts.append("y_i one-hot over K classes (checked with K = %d)" % model.classes)
    return "; ".join(parts) + "."


def derive_steps(recipe: Recipe, model: Model):
    fam, link = model.family, model.link
    y_i, eta_i, mu_i = model.y_obs(), model.eta_obs(), model.mu_obs()
    steps: list[Step] = []
    warnings = []
    if getattr(recipe, "custom_family", None) is not None:
        from .custom import normalisation_warning

        flagged = normalisation_warning(recipe.custom_family)
        if flagged:
            warnings.append(flagged)
    if model.pairing.status == "constrained":
        warnings.append("%s-%s is valid only where g⁻¹(η) stays in the mean domain: %s."
                        % (fam.name, link.name, model.pairing.reason))

    # 1. The model
    dens_mu = fam.density(y_i, mu_i, model.params)
    steps.append(Step("The model", _describe_model(recipe, model), "p(y_i | μ_i)", r"p(y_i \mid \mu_i)",
                      dens_mu, "definition"))

    # 2. The density of one observation with the link substituted
    mean = model.mean()
    dens_eta = dens_mu.xreplace({mu_i: mean})  # xreplace: mu_i may sit under Π_k
    steps.append(Step(
        "One observation's density", "Substitute μ_i = g⁻¹(η_i) = %s; θ now enters only through η_i." % S.inline(mean),
        "p(y_i | x_i; θ)", r"p(y_i \mid x_i; \theta)", dens_eta, "substitution", data={"inverse": mean},
    ))

    # 3. Likelihood of the i.i.d. sample
    likelihood = sp.Product(dens_eta, (S.i, 1, S.n))
    steps.append(Step(
        "Likelihood of the sample", "The observations are independent and identically distributed, "
        "so their joint density is the product of the individual densities.",
        "L(θ)", r"L(\theta)", likelihood, "iid-product",
    ))

    # 4. Log-likelihood
    loglik = sp.Sum(sp.log(dens_eta), (S.i, 1, S.n))
    steps.append(Step(
        "Log-likelihood", "log is strictly increasing, so it keeps the argmax; it turns the product into a sum "
        "and avoids the underflow of multiplying many small probabilities.",
        "ℓ(θ) = log L(θ)", r"\ell(\theta) = \log L(\theta)", loglik, "log",
    ))

    # 5. Expand each log term
    expanded = fam.expanded_log_density(y_i, eta_i, link, model.params)
    why = "log of a product is the sum of logs, log(a^b) = b·log a, log(exp u) = u."
    if fam.vector:
        why += " One-hot targets sum to one, Σ_k y_ik = 1, which turns Σ_k y_ik·log Σ_j e^{η_ij} into log Σ_j e^{η_ij}."
    steps.append(Step("Expand each log term", why, "ℓ(θ)", r"\ell(\theta)", S.sample_sum(expanded), "equal"))

    # 6. Drop θ-independent terms
    kept, dropped = _split_theta(expanded, model)
    dropped_sample = [S.sample_sum(t) for t in dropped]
    if dropped:
        why = "These terms do not depend on θ (nor on any learned parameter), so they do not move the argmax: " \
              + _pretty_list(dropped_sample) + "."
    else:
        why = "Every term depends on θ: there is nothing to drop."
    steps.append(Step("Drop the θ-free terms", why, "ℓ(θ) + const", r"\ell(\theta) + \text{const}",
                      S.sample_sum(kept), "constant-dropped", data={"dropped": dropped_sample},
                      notes=tuple("dropped: %s" % S.inline(t) for t in dropped_sample)))

    # 7. Negate
    nll = -kept
    steps.append(Step("Negate", "Maximising the log-likelihood is minimising the negative log-likelihood.",
                      "NLL(θ)", r"\mathrm{NLL}(\theta)", S.sample_sum(nll), "negated"))
    nll_index = len(steps) - 1

    # 8. Rescale and reduce → the named loss
    body = sp.factor_terms(nll)
    # the rescaling factor must be free of θ *and* of the data (1/y would reweight the observations)
    coeff, core = body.as_independent(S.eta, S.y, *model.learned_params(), as_Add=False)
    if coeff.could_extract_minus_sign():
        coeff, core = -coeff, -core
    loss_summand = core  # per observation, before the reduction
    reduction_factor = 1 / S.n if recipe.reduction == "mean" else sp.Integer(1)
    factor = reduction_factor / coeff
    loss_per_term = loss_summand * reduction_factor
    loss = S.sample_sum(loss_per_term)
    named = recognise(model, loss_summand, recipe.reduction)
    library_rows = conventions(named)
    yhat = "ŷ_i = %s" % S.inline(mean)
    if named is not None:
        loss_name = named.name(recipe.reduction)
        recog = "This is the %s, with %s." % (loss_name, yhat)
    else:
        loss_name = None
        recog = "No textbook name: this is the %s negative log-likelihood with the %s link (%s reduction)." % (
            fam.title, link.name, recipe.reduction)
    if factor != 1:
        why = "Multiply by the positive θ-free factor %s (%s reduction); the argmin does not move. %s" % (
            S.inline(factor), recipe.reduction, recog)
        steps.append(Step("Rescale: the loss", why, "loss(θ)", r"\mathcal{L}(\theta)", loss, "rescaled",
                          data={"factor": factor}, notes=(recog,)))
    else:
        steps[-1] = replace(steps[-1], justification=steps[-1].justification + " " + recog, notes=(recog,))
    loss_index = len(steps) - 1

    # 9. Gradient with respect to η_i: chain rule, brought to its textbook form
    grad_eta_obs, chain, grad_why = _gradient_in_eta(model, loss_summand, 1 / coeff)
    grad_eta = grad_eta_obs * reduction_factor
    steps.append(Step(
        "Gradient with respect to η_i", grad_why,
        "∂loss/∂η_ik" if fam.vector else "∂loss/∂η_i",
        r"\frac{\partial \mathcal{L}}{\partial \eta_{ik}}" if fam.vector else r"\frac{\partial \mathcal{L}}{\partial \eta_i}",
        grad_eta, "derivative", reference=loss_index,
        data={"wrt": "eta", **({"chain": (chain[0] * reduction_factor, chain[1])} if chain else {})},
    ))

    # 9b. Curvature in η_i and the Fisher information
    if not fam.vector:
        eta_obs = model.eta_obs()
        curvature = bounded(lambda e: sp.factor(sp.cancel(e)), sp.diff(grad_eta, eta_obs), 0.5)
        canonical = model.pairing.status == "canonical"
        why = "Differentiate ∂loss/∂η_i once more."
        if canonical and fam.variance(mu_i) is not None:
            why += (" Canonical link: the curvature is (dμ_i/dη_i)/φ times the positive rescaling factor — free of "
                    "y_i and positive — so each term is convex in η_i and, for a linear predictor η_i = θᵀx_i, the "
                    "loss is convex in θ (any minimum is global).")
        steps.append(Step("Curvature in η_i", why, "∂²loss/∂η_i²", r"\frac{\partial^2 \mathcal{L}}{\partial \eta_i^2}",
                          curvature, "derivative", reference=len(steps) - 1,
                          data={"wrt": "eta2", "convex": canonical and fam.variance(mu_i) is not None}))
        if fam.variance(mu_i) is not None and fam.dispersion(model.params) is not None:
            fisher = bounded(lambda e: sp.factor(sp.cancel(e)), curvature.subs(y_i, mean), 0.5)
            steps.append(Step(
                "Fisher information in η_i", "The expected curvature over y_i ~ p(y | μ_i): the curvature is linear "
                "in y_i, so its expectation puts E[y_i] = μ_i in place of y_i"
                + (" — the same as the curvature itself, as for every canonical link." if canonical else "."),
                "E[∂²loss/∂η_i²]", r"\mathbb{E}\left[\frac{\partial^2 \mathcal{L}}{\partial \eta_i^2}\right]",
                fisher, "expectation", data={"mean": mean}))

    # 10. Gradient with respect to θ
    jac = model.predictor.jacobian(S.i)
    grad_theta = S.sample_sum(grad_eta * jac)
    steps.append(Step(
        "Gradient with respect to θ", "Chain rule through the predictor: ∂η_i/∂θ = %s." % S.inline(jac)
        + (" For class k, θ_k is the weight vector of logit k." if fam.vector else ""),
        "∇_θk loss" if fam.vector else "∇_θ loss", r"\nabla_{\theta_k} \mathcal{L}" if fam.vector else r"\nabla_{\theta} \mathcal{L}",
        grad_theta, "derivative", reference=loss_index, data={"wrt": "theta"},
    ))
    gradients = {"theta": grad_theta}
    theta_index = len(steps) - 1

    # 11. Gradients with respect to learned nuisance parameters
    for name in model.learned:
        p = model.params[name]
        d = sp.expand(sp.diff(loss_per_term, p), multinomial=False)
        g = S.sample_sum(d)
        steps.append(Step(
            "Gradient with respect to %s" % name, "%s is learned too: differentiate the loss directly." % name,
            "∂loss/∂%s" % name, r"\frac{\partial \mathcal{L}}{\partial \%s}" % name, g, "derivative",
            reference=loss_index, data={"wrt": name},
        ))
        gradients[name] = g
    map_result = None
    if model.prior is not None:
        map_result = _map_steps(model, steps, nll_index, loss_index, theta_index, factor, reduction_factor)
    if _has_normal_equations(model):
        steps.append(_normal_equations(map_result, loss_index))
    table = Table("What libraries compute for this assumption (we dropped: %s)" % (
        ", ".join(S.inline(t) for t in dropped_sample) or "nothing"), ("library", "call", "keeps", "reduction"),
        tuple(library_rows))
    return steps, loss, loss_summand, loss_name, gradients, grad_eta_obs, warnings, expanded, table, map_result


def _map_steps(model: Model, steps: list, nll_index: int, loss_index: int, theta_index: int, factor,
               reduction_factor):
    """MAP: add the prior's −log p(θ) to the negative log-likelihood, drop its constants, rescale with the loss.

    Returns the MAP summary (prior, penalty, λ, the regularised loss and its gradient) for the results.
    """
    prior = model.prior
    w = S.weights[S.j]
    generic = model.predictor.name == "generic"
    steps.append(Step(
        "A prior on the weights", "MAP keeps θ's most probable value under the posterior instead of the likelihood's "
        "argmax. The prior: %s, independently for j = 1 … d (%s)." % (
            prior.notation, "the d parameters of f_θ" if generic else "the d weights of θᵀx"),
        "p(θ)", r"p(\theta)", prior.product(), "definition"))
    # −log p(θ_j), split into its θ-dependent and constant terms (log of a product, log(exp u) = u)
    per_weight = sp.expand(-sp.expand_log(sp.log(prior.density(w)), force=True))
    steps.append(Step(
        "Negative log-prior", "log of a product over the weights is the sum of their logs.",
        "−log p(θ)", r"-\log p(\theta)", S.sample_sum(per_weight, S.j, S.d), "negative-log"))
    neglog_index = len(steps) - 1
    nll = steps[nll_index].expr
    steps.append(Step(
        "Negative log-posterior", "Bayes' rule: p(θ | D) = p(D | θ)·p(θ) / p(D). The evidence p(D) does not depend on "
        "θ, so −log p(θ | D) = NLL(θ) − log p(θ) + const: the prior adds its negative log to the loss.",
        "−log p(θ | D) + const", r"-\log p(\theta \mid \mathcal{D}) + \text{const}", nll + steps[-1].expr, "bayes",
        reference=nll_index, also=neglog_index))
    kept, dropped = _split_theta(per_weight, model)
    penalty = S.sample_sum(kept, S.j, S.d)
    steps.append(Step(
        "Drop the prior's θ-free terms", "They do not move the argmin: %s." % _pretty_list(
            [S.sample_sum(t, S.j, S.d) for t in dropped]) if dropped else "Every term depends on θ.",
        "−log p(θ | D) + const", r"-\log p(\theta \mid \mathcal{D}) + \text{const}", nll + penalty,
        "constant-dropped"))
    # the same positive factor that turned the NLL into the loss
    scaled_penalty = sp.factor_terms(factor * penalty)
    coeff = scaled_penalty.as_independent(sp.Sum, as_Add=False)[0]
    lam = sp.simplify(coeff / reduction_factor)  # weight of the penalty against Σ_i (per-observation loss)
    regularised = steps[loss_index].expr + scaled_penalty
    label = "%s with %s" % (prior.penalty, "λ = %s" % S.inline(lam))
    steps.append(Step(
        "Rescale: the regularised loss", "Multiply by the same positive factor %s as the loss. The prior became an %s:"
        " loss(θ) %s λ·%s." % (S.inline(factor), label, "+ (1/n)·" if reduction_factor != 1 else "+",
                               S.inline(sp.Sum(kept / kept.as_independent(S.weights, as_Add=False)[0], (S.j, 1, S.d)))),
        "loss_MAP(θ)", r"\mathcal{L}_{\mathrm{MAP}}(\theta)", regularised, "rescaled", data={"factor": factor},
        notes=(label,)))
    reg_index = len(steps) - 1
    # ∂/∂θ of the penalty, one weight at a time, written for the whole vector θ
    per_weight_grad = sp.diff(factor * kept, w).xreplace({w: theta})
    gradient = steps[theta_index].expr + per_weight_grad
    why = "The data term's gradient as before, plus the penalty's: %s." % S.inline(per_weight_grad)
    if per_weight_grad.has(sp.sign):
        why += " |θ_j| has no derivative at θ_j = 0: sign(0) = 0 picks the subgradient 0 there."
    steps.append(Step(
        "Gradient of the regularised loss", why, "∇_θ loss_MAP", r"\nabla_{\theta} \mathcal{L}_{\mathrm{MAP}}",
        gradient, "derivative", reference=reg_index, data={"wrt": "theta"}))
    return {"prior": prior, "lambda": lam, "loss": regularised, "gradient": gradient, "penalty": label,
            "index": reg_index, "table": _penalty_table(model, lam, per_weight_grad)}


def _penalty_table(model: Model, lam, per_weight_grad) -> Table:
    """How libraries spell the derived penalty: each setting computed from λ and the derived gradient."""
    rows = []
    if model.prior.name == "gaussian":
        decay = per_weight_grad.coeff(theta)  # the optimiser adds weight_decay·θ to the loss's gradient
        rows.append(("PyTorch", "torch.optim.SGD(..., weight_decay=wd)", "wd = %s (for this reduction)" % S.inline(decay)))
        if model.family.name == "gaussian" and model.link.name == "identity":
            rows.append(("scikit-learn", "Ridge(alpha=a): ‖y − Xw‖² + a‖w‖²", "a = λ = %s" % S.inline(lam)))
    elif model.family.name == "gaussian" and model.link.name == "identity":
        rows.append(("scikit-learn", "Lasso(alpha=a): ‖y − Xw‖²/(2n) + a‖w‖₁", "a = λ/(2n) = %s"
                     % S.inline(sp.simplify(lam / (2 * S.n)))))
    if not rows:
        rows.append(("PyTorch", "no built-in %s; add it to the loss" % model.prior.penalty.split(" (")[0],
                     "λ = %s against the summed loss" % S.inline(lam)))
    return Table("The penalty in library settings", ("library", "call", "setting"), tuple(rows))


def _has_normal_equations(model: Model) -> bool:
    """Linear predictor, Gaussian family, identity link: the loss is quadratic in θ, minimised in closed form."""
    return (model.family.name == "gaussian" and model.link.name == "identity" and model.predictor.name == "linear"
            and (model.prior is None or model.prior.name == "gaussian"))


#: the design matrix (rows x_iᵀ) and the target vector of the normal equations
X = sp.MatrixSymbol("X", S.n, S.d)
Y = sp.MatrixSymbol("y", S.n, 1)


def _normal_equations(map_result, loss_index: int) -> Step:
    if map_result is None:
        point = (X.T * X).I * X.T * Y
        return Step(
            "Set the gradient to zero: the normal equations", "The loss is quadratic in θ. ∇_θ loss = 0 reads "
            "Σ_i (θᵀx_i − y_i)·x_i = 0, i.e. XᵀX θ = Xᵀy with X the n × d matrix of rows x_iᵀ. When X has full column "
            "rank, XᵀX is invertible and positive definite, so this is the unique (global) minimum.",
            "θ̂", r"\hat{\theta}", point, "stationary", reference=loss_index)
    lam = map_result["lambda"]
    point = (X.T * X + lam * sp.Identity(S.d)).I * X.T * Y
    return Step(
        "Set the gradient to zero: ridge regression in closed form", "The regularised loss is quadratic in θ. "
        "∇_θ = 0 reads (XᵀX + λI) θ = Xᵀy with λ = %s; XᵀX + λI is positive definite for every X (λ > 0), so the "
        "minimum exists, is unique, and is the MAP estimate." % S.inline(lam),
        "θ̂_MAP", r"\hat{\theta}_{\mathrm{MAP}}", point, "stationary", reference=map_result["index"])


def _gradient_in_eta(model: Model, loss_summand: sp.Expr, scale: sp.Expr):
    """∂(per-observation loss)/∂η in textbook form, the chain-rule factors, and the why.

    ``scale`` is the θ-free factor that turned the negative log-likelihood into
    the per-observation loss, so the exponential-family score (μ − y)/φ is
    multiplied by it.
    """
    fam, link = model.family, model.link
    y_i, mu_i = model.y_obs(), model.mu_obs()
    mean = model.mean()
    phi = fam.dispersion(model.params)
    variance = fam.variance(mu_i)
    chain = None
    if model.pairing.status == "canonical" and phi is not None:
        # (dμ/dη)/V(μ) is constant for a canonical link: 1 for identity/log/logit, −1 for 1/μ, −½ for 1/μ²
        c = sp.Integer(1) if fam.vector else sp.cancel(link.inverse_deriv_in_mu(mu_i) / variance)
        form_mu = scale * c * (mu_i - y_i) / phi
        why = ("Canonical link: the gradient takes the form (μ_i − y_i)/φ with φ = %s, times the rescaling factor %s."
               % (S.inline(phi), S.inline(scale)))
        if c != 1:
            why += (" Here g is %s while the natural parameter is %s·g, hence the constant factor %s."
                    % (link.title, S.inline(c), S.inline(c)))
        if fam.vector:
            why += (" For softmax, Σ_m ∂ℓ/∂μ_m · ∂μ_m/∂η_k = Σ_m (−y_m/μ_m)·μ_m(δ_mk − μ_k) = μ_k·Σ_m y_m − y_k = μ_k − y_k.")
    elif phi is not None and variance is not None:
        dmu = link.inverse_deriv_in_mu(mu_i)
        form_mu = sp.cancel(scale * (mu_i - y_i) * dmu / (phi * variance))
        why = ("Non-canonical link: the gradient carries the extra factor (dμ/dη)/V(μ) = (%s)/(%s) beside (μ_i − y_i)/φ."
               % (S.inline(dmu), S.inline(variance)))
    else:
        form_mu = None
        why = "Differentiate the per-observation loss directly (this family has no variance-function form)."
    if form_mu is not None:
        grad = form_mu.subs(mu_i, mean)
    else:
        grad = bounded(sp.simplify, sp.diff(loss_summand, model.eta_obs()), 0.5)
    if not fam.vector:
        # the chain-rule factors, in μ: ∂ℓ/∂μ and dμ/dη
        log_mu = fam.expanded_log_density(y_i, mu_i, Identity(), model.params)
        kept_mu = [t for t in sp.Add.make_args(log_mu) if t.has(mu_i) or any(t.has(p) for p in model.learned_params())]
        loss_mu = -sp.Add(*kept_mu) * scale
        dl_dmu = bounded(sp.factor, sp.diff(loss_mu, mu_i), 0.5)
        dmu_deta = link.inverse_deriv_in_mu(mu_i)
        chain = (dl_dmu, dmu_deta)
        why = "Chain rule: ∂ℓ/∂μ_i · dμ_i/dη_i = (%s)·(%s). %s" % (S.inline(dl_dmu), S.inline(dmu_deta), why)
    return grad, chain, why


def derive(recipe, verify_steps: bool = True):
    """Derive (and by default verify) the loss for a recipe name, path, or Recipe.

    An argument recipe (``kind:`` one of mlederive.arguments) gives an Argument instead of a Derivation.
    """
    from .arguments import ArgumentRecipe, build

    if not isinstance(recipe, (Recipe, ArgumentRecipe)):
        recipe = load_recipe(str(recipe))
    if isinstance(recipe, ArgumentRecipe):
        return build(recipe, verify_steps)
    model = build_model(recipe)
    steps, loss, loss_summand, loss_name, gradients, grad_eta_obs, warnings, loglik, table, map_result = \
        derive_steps(recipe, model)
    d = Derivation(recipe=recipe, model=model, steps=steps, loss=loss, gradient=gradients["theta"],
                   gradients=gradients, loss_summand=loss_summand, loss_name=loss_name, warnings=warnings,
                   loglik_summand=loglik, grad_eta_obs=grad_eta_obs, map=map_result,
                   tables=[table] + ([map_result["table"]] if map_result else []))
    return verify(d) if verify_steps else d
