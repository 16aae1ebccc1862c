"""From the assumption to the loss: model, density, likelihood, log, expansion, θ-free terms
dropped, negation, and the rescaling that names the loss.

The steps follow the reference articles. None of them checks anything (the verifier does);
recognising the loss's textbook name is a proof, done here with the verifier's prover.
"""
from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from .. import symbolic as S
from ..documents import StepBuilder, Table
from ..libraries import library_rows
from ..losses import NamedLoss
from ..model import Model
from ..prose import Prose, join, prose
from ..relations import Dropped, Naming, Negation, Rescaling, Substituted
from ..special import DeclaredNormaliser
from .recognise import recognise


@dataclass(frozen=True)
class LossSteps:
    """What the later steps need from the likelihood part of a derivation."""

    nll: object  # the negation step (handle)
    loss: object  # the loss step (handle): the rescaled NLL, or the negation when the factor is 1
    loss_expr: sp.Expr  # the loss over the sample: Σ_i loss_summand · reduction_factor
    loss_summand: sp.Expr  # one observation's loss, before the reduction
    loglik_summand: sp.Expr  # one observation's log-likelihood, nothing dropped
    #: the positive θ-free factor from the NLL to the loss, and the reduction's 1/n (or 1)
    factor: sp.Expr
    reduction_factor: sp.Expr
    named: NamedLoss | None
    loss_name: str | None
    dropped: list  # the dropped θ-free terms, over the sample


def depends_on_theta(term: sp.Expr, model: Model) -> bool:
    """θ reaches a term through a predicted parameter's η, a learned nuisance parameter, or (a prior's term) the
    weights θ_j."""
    return term.has(S.weights) or any(term.has(b) for b in model.theta_bases())


def split_theta(summand: sp.Expr, model: Model):
    """(the θ-dependent terms as one sum, the list of θ-free terms).

    A term that is a product with a sum in it is multiplied out first (k·(log k − η_i) has the θ-free
    part k·log k; (φμ_i − 1)·log y_i has −log y_i), and what depends on θ is put back together, so no
    additive θ-free part is left behind; a power of a sum, (y_i − μ_i)², stays whole.
    """
    kept, dropped, opened_any = [], [], False
    for term in sp.Add.make_args(summand):
        if not depends_on_theta(term, model):
            dropped.append(term)
            continue
        parts = sp.Add.make_args(opened(term))
        free = [p for p in parts if not depends_on_theta(p, model)]
        if not free:
            kept.append(term)
            continue
        kept.append(sp.factor_terms(sp.Add(*[p for p in parts if depends_on_theta(p, model)])))
        dropped.append(sp.factor_terms(sp.Add(*free)))
        opened_any = True
    together = sp.Add(*kept)
    if not opened_any:
        return together, dropped
    # like terms in η that the opening left apart ((1 − k)·η − η is −k·η), merged where that is shorter
    factors = {f for t in sp.Add.make_args(together) for f in sp.Mul.make_args(t) if depends_on_theta(f, model)}
    merged = sp.collect(together, sorted(factors, key=sp.default_sort_key)) if not model.one_hot else together
    return min((together, merged), key=sp.count_ops), dropped


def opened(term: sp.Expr) -> sp.Expr:
    """A product multiplied out over the sums among its factors, at every level of products (k·(a + b) → k·a + k·b,
    (φ(1 − μ) − 1)·log y → φ·log y − φμ·log y − log y); nothing inside a function or a power is touched, so
    (y − μ)² and log(1 + e^η) stay whole."""
    return S.distribute(term)


def describe_model(model: Model) -> Prose:
    """The model statement: y_i | x_i ∼ N(μ_i, σ²); identity link μ_i = η_i; η_i = θᵀx_i; σ known."""
    fam, link = model.family, model.link
    known = [model.params[n] for n in model.params if n not in model.learned]
    if model.several:
        return _describe_several(model, known)
    mean_lhs = "μ_ik" if fam.one_hot else "μ_i"
    parts = [fam.statement(),
             prose("%s $%s = %s$" % ("%s", mean_lhs, "%s") + (", " + link.note if link.note else ""),
                   link.title, model.mean_display()),
             prose(model.predictor.formula)]
    if known:
        parts.append(prose("%s known", join(known)))
    if model.learned:
        parts.append(prose("%s learned with $θ$", join(model.learned_params())))
    if fam.one_hot:
        parts.append(prose("$y_i$ one-hot over $K$ classes"))
    return join(parts, "; ") + prose(".")


def _describe_several(model: Model, known: list) -> Prose:
    """y_i | x_i ∼ N(μ_i, σ_i²); identity link μ_i = η_μ,i; log link σ_i = exp(η_σ,i); η_p,i = θ_pᵀx_i."""
    fam = model.family
    parts = [fam.statement(tuple(p.symbol for p in model.predicted))]
    for p in model.predicted:
        parts.append(prose("%s $%s = %s$" + (", " + p.link.note if p.link.note else ""), p.link.title,
                           p.value[S.i], p.link.inverse(p.eta[S.i])))
    parts.append(prose("each with its own %s predictor, %s", model.predictor.name, join(
        [prose("$η_{%s,i} = %s$", p.letter, model.predictor.formula_for(p.letter))
         for p in model.predicted])))
    if known:
        parts.append(prose("%s known", join(known)))
    if model.learned:
        parts.append(prose("%s learned with $θ$", join(model.learned_params())))
    return join(parts, "; ") + prose(".")


def _substitution(model: Model):
    """(the payload, the why) of the step that puts g⁻¹(η) in for each predicted parameter."""
    if not model.several:
        return Substituted(inverse=model.mean()), prose(
            "Substitute $μ_i = g⁻¹(η_i) = %s$; $θ$ now enters only through $η_i$.", model.mean_display())
    subs = model.inverses()
    why = prose("Substitute each parameter's inverse link, %s; the weights now enter only through %s.",
                join([prose("$%s = %s$", v, e) for v, e in subs.items()], ", ", " and "),
                join([prose("$%s$", p.eta[S.i]) for p in model.predicted], ", ", " and "))
    return Substituted(subs=subs), why


def density_steps(b: StepBuilder, model: Model) -> sp.Expr:
    """Steps 1–4: the model, one observation's density, the likelihood, the log-likelihood.

    Each is shown in the form a textbook writes it (the family's textbook density, softmax by
    name) where that differs from the working form; the verifier proves the two equal.
    """
    mu_i = model.mu_obs()
    dens_mu = model.density()
    textbook = model.textbook_density()
    given = [(p.letter + "_i", sp.latex(p.symbol) + "_i") for p in model.predicted] if model.several \
        else [("μ_i", r"\mu_i")]
    b.add("The model", describe_model(model), "p(y_i | %s)" % ", ".join(t for t, _ in given),
          r"p(y_i \mid %s)" % ", ".join(tex for _, tex in given), dens_mu, "definition", id="model", display=textbook)
    inverses = model.inverses()
    dens_eta = dens_mu.xreplace(inverses)  # xreplace: mu_i may sit under Π_k
    named = {**inverses, mu_i: model.mean_display()}
    shown = S.substitute_held(textbook, named) if textbook is not None else dens_mu.xreplace(named)
    shown = None if shown == dens_eta else shown
    payload, why = _substitution(model)
    b.add("One observation's density", why, "p(y_i | x_i; θ)", r"p(y_i \mid x_i; \theta)", dens_eta, "substitution",
          payload, id="density", display=shown)
    product, log_sum = (None, None) if shown is None else (
        sp.Product(shown, (S.i, 1, S.n)), sp.Sum(sp.log(shown, evaluate=False), (S.i, 1, S.n)))
    b.add("Likelihood of the sample", "The observations are independent and identically distributed, "
          "so their joint density is the product of the individual densities.",
          "L(θ)", r"L(\theta)", sp.Product(dens_eta, (S.i, 1, S.n)), "iid-product", id="likelihood",
          display=product)
    b.add("Log-likelihood", "The logarithm is strictly increasing, so it keeps the argmax; it turns the product into "
          "a sum and avoids the underflow of multiplying many small probabilities.",
          "ℓ(θ) = log L(θ)", r"\ell(\theta) = \log L(\theta)", sp.Sum(sp.log(dens_eta), (S.i, 1, S.n)), "log",
          id="log-likelihood", display=log_sum)
    return dens_eta


def loss_steps(b: StepBuilder, model: Model, reduction: str) -> LossSteps:
    """Steps 1–8: from the model to the loss, with its name recognised by proof."""
    fam, link = model.family, model.link
    density_steps(b, model)
    expanded = fam.expanded_log_density(model.y_obs(), model.eta_obs(), link, model.values_in_eta())
    why = prose("The log of a product is the sum of the logs, $log(a^b) = b·log a$ and $log(exp c) = c$.")
    if fam.one_hot:
        why += prose(" One-hot targets sum to one, $Σ_k y_ik = 1$, which turns $Σ_k y_ik·log Σ_j e^{η_ij}$ into "
                     "$log Σ_j e^{η_ij}$.")
    b.add("Expand each log term", why, "ℓ(θ)", r"\ell(\theta)", S.sample_sum(expanded), "equal", id="expanded")

    kept, dropped = split_theta(expanded, model)
    dropped_sample = [S.sample_sum(t) for t in dropped]
    if dropped:
        why = prose("These terms do not depend on $θ$%s, so they do not move the argmax: %s.",
                    " (nor on a learned parameter)" if model.learned else "", join(dropped_sample, ", ", " and "))
    else:
        why = prose("Every term depends on $θ$: there is nothing to drop.")
    for declared in sorted({type(f) for f in expanded.atoms(DeclaredNormaliser)}, key=lambda c: c.__name__):
        call = sorted(expanded.atoms(declared), key=sp.default_sort_key)[0]
        why += prose(" The recipe declares $%s$ without writing it out, a function of %s alone — no $μ$ in it, so "
                     "no $θ$%s.", call, join(list(call.args), ", ", " and "), (": " + declared.why.rstrip(".")) if declared.why else "")
    b.add("Drop the $θ$-free terms", why, "ℓ(θ) + const", r"\ell(\theta) + \text{const}", S.sample_sum(kept),
          "constant-dropped", Dropped(dropped=tuple(dropped_sample)), id="drop-constants",
          notes=tuple(prose("dropped: %s", t) for t in dropped_sample))

    nll = -kept
    # the rescaling factor must be free of θ *and* of the data (1/y would reweight the observations)
    coeff, core = sp.factor_terms(nll).as_independent(*model.theta_bases(), S.y, as_Add=False)
    if coeff.could_extract_minus_sign():
        coeff, core = -coeff, -core
    reduction_factor = 1 / S.n if reduction == "mean" else sp.Integer(1)
    factor = reduction_factor / coeff
    named = recognise(model, core)
    naming = None if named is None else Naming(named.textbook(model), reduction_factor)
    if named is not None:
        loss_name = named.name(reduction)
        recog = prose("This is the %s, $%s$ per observation with $%s = %s$%s.", loss_name,
                      named.textbook(model), named.yhat(model), model.mean_display(),
                      join([prose(" and $%s = %s$", v, e) for v, e in list(model.inverses().items())[1:]], "")
                      if model.several else prose(""))
    else:
        loss_name = None
        recog = prose("No textbook name: this is the %s negative log-likelihood with the %s link (%s reduction).",
                      fam.title, link.name, reduction) if not model.several else prose(
            "No textbook name: this is the %s negative log-likelihood with %s (%s reduction).", fam.title,
            join([prose("$%s$ through the %s link", p.symbol, p.link.name) for p in model.predicted], ", ", " and "),
            reduction)
    negate_why = prose("Maximising the log-likelihood is minimising the negative log-likelihood.")
    rescaled = factor != 1
    nll_step = b.add("Negate", negate_why if rescaled else negate_why + prose(" ") + recog, "NLL(θ)",
                     r"\mathrm{NLL}(\theta)", S.sample_sum(nll), "negated",
                     Negation(named=None if rescaled else naming), id="negate",
                     notes=() if rescaled else (recog,))
    loss_step, loss = nll_step, S.sample_sum(core * reduction_factor)
    if rescaled:
        why = prose("Multiply by the positive $θ$-free factor $%s$ (%s reduction); the argmin does not move. %s",
                    factor, reduction, recog)
        loss_step = b.add("Rescale: the loss", why, "loss(θ)", r"\mathcal{L}(\theta)", loss, "rescaled",
                          Rescaling(factor=factor, named=naming), id="loss", notes=(recog,))
    return LossSteps(nll_step, loss_step, loss, core, expanded, factor, reduction_factor, named, loss_name,
                     dropped_sample)


def library_table(model: Model, named: NamedLoss | None, dropped: list, values: dict) -> Table | None:
    """What libraries compute for this assumption, with this link; None when no library has it (a custom
    density, Laplace with another link …). ``values``: the recipe's values of known parameters."""
    rows = tuple(library_rows(model, named, values))
    if not rows:
        return None
    return Table(prose("What libraries compute for this assumption (we dropped %s)", join(dropped, ", ", " and ")
                       if dropped else "nothing"), ("library", "call", "keeps", "reduction"), rows)
