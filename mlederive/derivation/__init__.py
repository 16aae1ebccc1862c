"""The derivation: recipe → model → the list of steps, in order, with the results and tables.

Each part is a small module that adds its steps to one :class:`~mlederive.documents.StepBuilder`:
:mod:`.likelihood` (model to loss), :mod:`.gradient` (∂/∂η, curvature, Fisher, ∇_θ),
:mod:`.map` (a prior on the weights) and :mod:`.closed_form` (the normal equations).
Nothing here verifies anything: :func:`derive` hands the document to the verifier.
"""
from __future__ import annotations

import sympy as sp

from .. import symbolic as S
from ..documents import IMPLEMENTATION, Derivation, MapSummary, Result, StepBuilder
from ..links import LINKS
from ..model import Model
from ..predictors import PREDICTORS
from ..priors import PRIORS
from ..prose import join, prose
from ..recipe import Recipe
from .closed_form import has_normal_equations, normal_equations_step
from .gradient import gradient_steps
from .likelihood import library_table, loss_steps
from .map import map_steps


def _implementation(d: Derivation):
    from .implementation import (
        forms,  # imported on use: the main job never needs it (cold start)
    )

    return forms(d.recipe)


if not IMPLEMENTATION:
    IMPLEMENTATION.append(_implementation)


def build_model(recipe: Recipe) -> Model:
    family, link = recipe.family_obj(), recipe.link_obj()
    params = {p.name: p.symbol for p in family.params}
    learned = tuple(name for name, state in recipe.parameters.items() if state == "learned")
    prior = PRIORS[recipe.prior] if recipe.prior else None
    others = tuple((name, LINKS[link_name]) for name, link_name in recipe.predicted.items())
    for name, _ in others:
        del params[name]  # a predicted parameter has a value per observation (Model.values), not one symbol
    return Model(family, link, PREDICTORS[recipe.predictor], params, learned, recipe.classes, family.pairing(link),
                 prior, others)


def _warnings(recipe: Recipe, model: Model) -> list[str]:
    out = []
    if recipe.custom_family is not None:
        from ..custom import normalisation_warning

        flagged = normalisation_warning(recipe.custom_family)
        if flagged:
            out.append(flagged)
    if model.pairing.status == "constrained":
        where = join([prose("$%s$", part) for part in model.pairing.constraint.split(" or ")], " or ")
        out.append(prose("%s-%s is valid only where $g⁻¹(η)$ stays in the %s family's mean domain: %s.",
                         model.family.name, model.link.name, model.family.name, where))
    return out


def _subtitle(recipe: Recipe, model: Model) -> str:
    if model.several:  # Gaussian family, μ: identity link (canonical), σ: log link (valid), …
        links = ", ".join("%s: %s link (%s)" % (p.letter, p.link.name, p.pairing.status)
                          for p in model.predicted)
        return "%s family, %s, %s predictors, %s reduction" % (model.family.title, links, model.predictor.name,
                                                               recipe.reduction)
    text = "%s family, %s link (%s), %s predictor, %s reduction" % (
        model.family.title, model.link.name, model.pairing.status, model.predictor.name, recipe.reduction)
    return text + (", %s prior (MAP)" % model.prior.name if model.prior is not None else "")


def _results(model: Model, loss, loss_name, gradients: dict, posterior: MapSummary | None,
             displays: dict) -> list[Result]:
    """The results block; ``displays`` maps an expression to the verified display form of the step it is."""
    out = [Result(prose("Loss: %s", loss_name or "no textbook name (see the last loss step)"),
                  "loss(θ)", r"\mathcal{L}(\theta)", loss, displays.get(loss))]
    for name, g in gradients.items():
        if name == "theta":
            label = "∇_θk" if model.one_hot else "∇_θ"
            lhs_latex = r"\nabla_{\theta%s} \mathcal{L}" % ("_k" if model.one_hot else "")
        elif name.startswith("theta_"):  # one of several predicted parameters' weights
            p = next(q for q in model.predicted if "theta_" + q.name == name)
            label = "∇_θ%s" % p.letter
            lhs_latex = r"\nabla_{\theta_{%s}} \mathcal{L}" % sp.latex(p.symbol)
        else:
            label, lhs_latex = "∂/∂%s" % S.inline(model.params[name]), S.partial_latex(r"\mathcal{L}",
                                                                                        model.params[name])
        out.append(Result(prose("Gradient $%s$:", label), label + " loss", lhs_latex, g, displays.get(g)))
    if posterior is not None:
        out.append(Result(prose("MAP loss: %s", posterior.penalty), "loss_MAP(θ)",
                          r"\mathcal{L}_{\mathrm{MAP}}(\theta)", posterior.loss))
        out.append(Result("Its gradient:", "∇_θ loss_MAP", r"\nabla_{\theta} \mathcal{L}_{\mathrm{MAP}}",
                          posterior.gradient))
        out.append(Result("Penalty weight (against the summed loss):", "λ", r"\lambda", posterior.lam))
    return out


def derive_loss(recipe: Recipe) -> Derivation:
    """The unverified derivation of a loss recipe."""
    model = build_model(recipe)
    warnings = _warnings(recipe, model)
    b = StepBuilder()
    ls = loss_steps(b, model, recipe.reduction)
    gs = gradient_steps(b, model, ls)
    libraries = library_table(model, ls.named, ls.dropped, recipe.values)
    posterior, map_loss, tables = None, None, [libraries] if libraries is not None else []
    if model.prior is not None:
        posterior, map_loss, penalty = map_steps(b, model, ls, gs.grad_theta)
        tables.append(penalty)
    if has_normal_equations(model, ls.loss_summand):
        normal_equations_step(b, ls.loss, posterior, map_loss)
    return Derivation(recipe=recipe, model=model, subtitle=_subtitle(recipe, model), steps=b.steps,
                      results=_results(model, ls.loss_expr, ls.loss_name, gs.gradients, posterior,
                                       {st.expr: st.display for st in b.steps if st.display is not None}),
                      loss=ls.loss_expr,
                      gradients=gs.gradients, loss_summand=ls.loss_summand, loss_name=ls.loss_name, warnings=warnings,
                      loglik_summand=ls.loglik_summand, grad_eta_obs=gs.grad_eta_obs,
                      curvature_obs=gs.curvature_obs, fisher_obs=gs.fisher_obs, posterior=posterior, tables=tables)


def derive(recipe, verify_steps: bool = True):
    """Derive (and by default verify) the loss for a recipe name, path, or Recipe.

    An argument recipe (``kind:`` one of mlederive.arguments) gives an Argument instead of a Derivation.
    """
    from ..arguments import ArgumentRecipe, build
    from ..recipe import load_recipe
    from ..verification import verify

    if not isinstance(recipe, (Recipe, ArgumentRecipe)):
        recipe = load_recipe(str(recipe))
    doc = build(recipe) if isinstance(recipe, ArgumentRecipe) else derive_loss(recipe)
    return verify(doc) if verify_steps else doc
