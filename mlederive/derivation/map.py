"""MAP: a prior on the weights. Its −log is added to the negative log-likelihood (Bayes' rule),
its constants dropped, and the sum rescaled by the loss's own factor — which is where the
penalty and its λ come from."""
from __future__ import annotations

import sympy as sp

from .. import symbolic as S
from ..documents import MapSummary, Step, StepBuilder, Table
from ..model import Model
from ..predictors import theta
from ..prose import join, prose
from ..relations import Differentiation, Rescaling
from .closed_form import least_squares
from .likelihood import LossSteps, split_theta


def map_steps(b: StepBuilder, model: Model, ls: LossSteps, grad_theta: Step) -> tuple[MapSummary, Step, Table]:
    """The MAP steps; returns what the prior became, the regularised-loss step and the penalty's library table."""
    prior = model.prior
    w = S.weights[S.j]
    b.add("A prior on the weights", prose(
        "MAP keeps the most probable $θ$ under the posterior instead of the likelihood's argmax. The prior: "
        "$%s$, independently for $j = 1, …, d$ (%s).", prior.notation,
        prose("the $d$ parameters of $f_θ$") if model.predictor.name == "generic" else prose("the $d$ weights of $θᵀx$")),
        "p(θ)", r"p(\theta)", prior.product(), "definition", id="prior",
        display=sp.Product(prior.textbook_density(w), (S.j, 1, S.d)))
    # −log p(θ_j) as a textbook writes it: the normalising constant's log whole, then the penalty
    per_weight = prior.negative_log(w)
    neglog = b.add("Negative log-prior", "The log of a product over the weights is the sum of their logs.",
                   "−log p(θ)", r"-\log p(\theta)", S.sample_sum(per_weight, S.j, S.d), "negative-log",
                   id="negative-log-prior")
    nll = ls.nll.expr
    b.add("Negative log-posterior", "Bayes' rule: $p(θ | D) = p(D | θ)·p(θ)/p(D)$. The evidence $p(D)$ does not "
          "depend on $θ$, so $−log p(θ | D) = NLL(θ) − log p(θ) + const$: the prior adds its negative log to the loss.",
          "−log p(θ | D) + const", r"-\log p(\theta \mid \mathcal{D}) + \text{const}", nll + neglog.expr, "bayes",
          id="negative-log-posterior", reference=ls.nll, also=neglog)
    kept, dropped = split_theta(per_weight, model)
    penalty = S.sample_sum(kept, S.j, S.d)
    b.add("Drop the prior's $θ$-free terms", prose("They do not move the argmin: %s.", join(
        [S.sample_sum(t, S.j, S.d) for t in dropped], ", ", " and ")) if dropped else "Every term depends on $θ$.",
        "−log p(θ | D) + const", r"-\log p(\theta \mid \mathcal{D}) + \text{const}", nll + penalty,
        "constant-dropped", id="drop-prior-constants")
    # the same positive factor that turned the NLL into the loss
    factor = ls.factor
    scaled_penalty = sp.factor_terms(factor * penalty)
    coeff = scaled_penalty.as_independent(sp.Sum, as_Add=False)[0]
    lam = sp.simplify(coeff / ls.reduction_factor)  # weight of the penalty against Σ_i (per-observation loss)
    regularised = ls.loss.expr + scaled_penalty
    label = prose("%s with $λ = %s$", prior.penalty, lam)
    per_weight_penalty = sp.Sum(kept / kept.as_independent(S.weights, as_Add=False)[0], (S.j, 1, S.d))
    reg = b.add("Rescale: the regularised loss", prose(
        "Multiply by the same positive factor $%s$ as the loss. The prior became an %s: $loss(θ) + %s$.", factor,
        label, (1 / S.n if ls.reduction_factor != 1 else 1) * sp.Symbol("lambda", positive=True) * per_weight_penalty),
                "loss_MAP(θ)", r"\mathcal{L}_{\mathrm{MAP}}(\theta)", regularised, "rescaled",
                Rescaling(factor=factor), id="map-loss", notes=(label,))
    # ∂/∂θ of the penalty, one weight at a time, written for the whole vector θ
    per_weight_grad = sp.diff(factor * kept, w).xreplace({w: theta})
    why = prose("The data term's gradient as before, plus the penalty's: $%s$.", per_weight_grad)
    if per_weight_grad.has(sp.sign):
        why += prose(" $|θ_j|$ has no derivative at $θ_j = 0$: $sgn(0) = 0$ picks the subgradient $0$ there.")
    gradient = grad_theta.expr + per_weight_grad
    b.add("Gradient of the regularised loss", why, "∇_θ loss_MAP", r"\nabla_{\theta} \mathcal{L}_{\mathrm{MAP}}",
          gradient, "derivative", Differentiation(wrt=theta), id="map-grad-theta", reference=reg)
    summary = MapSummary(prior, label, lam, regularised, gradient)
    return summary, reg, penalty_table(model, least_squares(model, ls.loss_summand), lam, per_weight_grad)


def penalty_table(model: Model, least_squares: bool, lam, per_weight_grad) -> Table:
    """How libraries spell the derived penalty: the prior declares its rows, each setting is computed from
    λ and the derived gradient."""
    rows = [(prose(library), prose(call), prose(setting, value)) for library, call, setting, value
            in model.prior.library_settings(least_squares, lam, per_weight_grad)]
    return Table("The penalty in library settings", ("library", "call", "setting"), tuple(rows))
