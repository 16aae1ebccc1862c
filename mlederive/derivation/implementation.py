"""What generated code computes, as verified steps appended to the derivation.

The derivation is made with a sum reduction, so its loss step is Σ_i ℓ_i and every later step is
one observation's ℓ_i, ∂ℓ_i/∂η_i, ∂²ℓ_i/∂η_i² (a mean reduction changes no per-observation form).
Then, each a step the verifier checks like any other:

1. for gradient boosting, the objective at unit dispersion — φ times the negative log-likelihood with
   its θ-free terms dropped (½(y − η)² for the Gaussian), a positive θ-free rescaling of the loss;
2. the loss in stable primitives (relation ``equal``);
3. ∂ℓ_i/∂η_i in stable form (a derivative of the loss: the verifier writes the primitives out first);
4. the Hessian: ∂²ℓ_i/∂η_i², claimed positive where SymPy proves it positive on the domain; else its
   expectation, the Fisher information (Fisher scoring); for a piecewise-linear loss (MAE) a stated
   constant surrogate.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

import sympy as sp

from .. import symbolic as S
from ..documents import Derivation, Result, StepBuilder
from ..errors import MlederiveError
from ..primitives import PRIMITIVES, Primitive, logaddexp, logsumexp
from ..prose import Prose, Text, join, prose
from ..relations import Differentiation, Expectation, Negation, Rescaling, Surrogate
from . import derive_loss
from .stable import stabilise
from .tidying import shortest

#: what the Hessian is: the curvature proved positive, Fisher scoring, a stated constant, or the curvature
#: where it can be negative and no expectation is available
CURVATURE, FISHER, SURROGATE, INDEFINITE = "curvature", "fisher", "surrogate", "indefinite curvature"


class CodegenError(MlederiveError):
    """The recipe cannot be turned into code for this target."""


@dataclass(frozen=True)
class Forms:
    """One observation's loss, gradient and Hessian (SymPy, in y_i and η_i) and how they were obtained."""

    document: Derivation
    loss: sp.Expr
    grad: sp.Expr
    hess: sp.Expr
    hess_kind: str
    #: the factor from the derivation's per-observation loss to this one (1, or the boosting scale)
    scale: sp.Expr
    warnings: tuple = ()
    #: why this Hessian: "the curvature, proved positive", "the curvature can be negative (it is −0.056 at …)"
    reason: Prose | None = None
    #: the full negative log-likelihood of one observation, nothing dropped, in stable form (boosting: the metric
    #: comparable with scipy's −logpdf and with other models), or None
    nll: sp.Expr | None = None
    #: the loss is piecewise linear in η (the Laplace's): its Hessian is a stated constant, its gradient a sign
    piecewise_linear: bool = False


def _risky(expr: sp.Expr) -> bool:
    """A division by something that can underflow to 0 (Φ, σ, an exponential …): not a form to compute with."""
    for p in expr.atoms(sp.Pow):
        if not p.exp.is_negative:
            continue
        base = p.base.replace(lambda e: isinstance(e, Primitive), lambda e: sp.Symbol("stable", positive=True))
        if base.has(sp.exp, sp.log, S.Phi, S.phi, S.sigmoid, sp.atan):
            return True
    # ψ(x) and log Γ(x) of a mean that can underflow to 0 (ψ(φ·Φ(η)) at η = −40 is −∞·…)
    return any(f.args[-1].has(S.Phi, S.sigmoid, sp.exp) for f in expr.atoms(sp.polygamma, sp.loggamma)
               if not (f.args[-1] - 1).is_positive)


def _evaluated(expr: sp.Expr) -> sp.Expr:
    """``expr`` with the numeric content of a sum merged into its product's coefficient: (2e^η − 2y)·e^(−2η)/2 as
    (e^η − y)·e^(−2η) — a form a reader (and a docstring) would write. Nothing else changes."""
    def merged(product):
        coefficient, factors = product.as_coeff_mul()
        out = []
        for f in factors:
            content, rest = f.primitive() if f.is_Add else (1, f)
            coefficient, out = coefficient * content, out + [rest]
        return sp.Mul(coefficient, *out)

    return expr.replace(lambda e: e.is_Mul and e.as_coeff_mul()[0] != 1 and
                        any(f.is_Add and f.primitive()[0] != 1 for f in e.args), merged)


def _pick(derived: sp.Expr, built: sp.Expr, collect: bool = False) -> sp.Expr:
    """The derivation's own form, rewritten, when it is safe to compute with; else the one built from the stable
    loss (the shorter when both are safe)."""
    a, b = _evaluated(stabilise(derived, collect)), _evaluated(stabilise(built, collect))
    if _risky(a):
        return b
    return a if _risky(b) else shortest([a, b])


def _nonsmooth(expr: sp.Expr, model) -> bool:
    """A kink on the model's domain (|η| is no kink where the link's η ≥ 0)."""
    from ..verification.domain import on_domain

    return on_domain(expr, model).has(sp.sign, sp.Abs, sp.DiracDelta, sp.Heaviside)


def _loss_step(d: Derivation):
    return next(s for s in reversed(d.steps) if s.id in ("loss", "negate"))


def boosting_scale(d: Derivation) -> sp.Expr:
    """φ × (the factor from the loss back to the negative log-likelihood): unit dispersion, as XGBoost and
    LightGBM scale their objectives (½(y − η)², y·e^{−η} + η)."""
    step = _loss_step(d)
    factor = step.payload.factor if step.relation == "rescaled" else sp.S.One
    phi = d.model.family.dispersion(d.model.params)
    return sp.simplify((phi if phi is not None else 1) / factor)


def forms(recipe, boosting: bool = False) -> Forms:
    """The verified per-observation forms generated code computes (``boosting``: at unit dispersion).

    Remembered for the process (by the recipe's fields): NumPy, JAX and PyTorch code print the same forms."""
    key = (repr(recipe), id(recipe.custom_family), id(recipe.custom_link), boosting)
    if key not in _FORMS:
        _FORMS[key] = _forms(recipe, boosting)
    return _FORMS[key]


_FORMS: dict = {}


def _forms(recipe, boosting: bool) -> Forms:
    from ..verification import verify

    base = derive_loss(replace(recipe, reduction="sum", prior=""))
    b = StepBuilder()
    b.steps = list(base.steps)
    model, one_hot = base.model, base.model.one_hot
    loss_ref = _loss_step(base)
    scale = boosting_scale(base) if boosting else sp.S.One
    plain = scale * base.loss_summand
    if scale != 1:
        loss_ref = b.add("The boosting objective", prose(
            "Gradient boosting is not scale-invariant (a leaf's value is $−G/(H + λ)$): it takes the negative "
            "log-likelihood at unit dispersion, with its $θ$-free terms dropped — the loss times $%s$.", scale),
            "Σ ℓ_i", r"\sum_i \ell_i", S.sample_sum(plain), "rescaled", Rescaling(factor=scale, unit_dispersion=True),
            id="objective", reference=loss_ref, also=base.step("negate"))
    stable = stabilise(plain)
    if stable != plain:
        loss_ref = b.add("Stable form of the loss", _primitives_why(stable), "Σ ℓ_i", r"\sum_i \ell_i",
                         S.sample_sum(stable), "equal", id="stable-loss", reference=loss_ref)
    eta_i = model.eta_obs()
    if one_hot:
        grad = _softmax_k() - model.y_obs()
    else:
        grad = _pick(scale * base.grad_eta_obs, sp.diff(stable, eta_i))
    grad_step = b.add("Gradient, as computed", prose(
        "$∂ℓ_i/∂η_i$ in stable form%s.", " ($softmax_k = exp(η_ik − logsumexp(η_i))$)" if one_hot else ""),
        "∂ℓ_i/∂η_i", r"\frac{\partial \ell_i}{\partial \eta_i}", grad, "derivative", Differentiation(wrt=eta_i),
        id="code-grad", reference=loss_ref)
    hess, kind, reason, warnings = _hessian(b, base, grad_step, scale, boosting, recipe.values)
    nll = _metric_step(b, base) if boosting and not one_hot else None
    results = [Result("What the code computes, per observation: the loss", "ℓ_i", r"\ell_i", stable),
               Result("its gradient", "∂ℓ_i/∂η_i", r"\frac{\partial \ell_i}{\partial \eta_i}", grad),
               Result(prose("and its Hessian (%s)", kind), "H_i", r"H_i", hess)]
    document = verify(replace(base, steps=b.steps, checks=[], results=results, tables=[], warnings=[],
                              subtitle=base.subtitle.replace("sum reduction", "per observation")))
    piecewise = kind == SURROGATE and (base.curvature_obs is None and not one_hot
                                       or _nonsmooth(base.grad_eta_obs, model))
    return Forms(document, stable, grad, hess, kind, scale, tuple(warnings), reason, nll, piecewise)


def _metric_step(b: StepBuilder, base: Derivation) -> sp.Expr:
    """The full negative log-likelihood per observation, nothing dropped, in stable form (log y! as log Γ(y + 1)):
    what a metric reports, so that a number is comparable with scipy's −logpdf and with another model's."""
    full = -base.loglik_summand
    ref = b.add("The metric: the full negative log-likelihood", prose(
        "The log-likelihood's negation with nothing dropped — the θ-free terms too: the loss drops them because "
        "they do not move the minimiser, but a number reported to compare models keeps them."),
        "Σ −log p(y_i)", r"\sum_i -\log p(y_i)", S.sample_sum(full), "negated", Negation(), id="nll",
        reference=next(s for s in reversed(base.steps) if s.id in ("expanded", "log-likelihood")))
    nll = stabilise(full, small_gamma=False)
    if nll != full:
        b.add("The metric, as computed", _primitives_why(nll) if nll.has(*PRIMITIVES) else prose(
              "The same function with log Γ in place of the log of a factorial, a binomial coefficient or Γ: no "
              "overflow past 170!."), "Σ −log p(y_i)", r"\sum_i -\log p(y_i)", S.sample_sum(nll), "equal",
              id="metric", reference=ref)
    return nll


@dataclass(frozen=True)
class SeveralForms:
    """One observation's loss, its gradient (one entry per predicted parameter, in the recipe's order), Hessian and
    Fisher matrix (None where the family gives none) as generated code computes them: each a verified step."""

    document: Derivation
    loss: sp.Expr
    grads: tuple
    hessian: sp.ImmutableMatrix
    fisher: sp.ImmutableMatrix | None
    #: the full negative log-likelihood of one observation, nothing dropped, in stable form (the metric's)
    nll: sp.Expr | None = None


def several_forms(recipe) -> SeveralForms:
    """The verified per-observation forms of a model with several predicted parameters (remembered, as
    :func:`forms`)."""
    key = (repr(recipe), id(recipe.custom_family), id(recipe.custom_link), "several")
    if key not in _FORMS:
        _FORMS[key] = _several_forms(recipe)
    return _FORMS[key]


def _several_forms(recipe) -> SeveralForms:
    from ..verification import verify
    from . import derive

    base = derive(replace(recipe, reduction="sum", prior=""), verify_steps=False)
    b = StepBuilder()
    b.steps = list(base.steps)
    model, loss_ref = base.model, _loss_step(base)
    stable = stabilise(base.loss_summand, collect=True)
    if stable != base.loss_summand:
        loss_ref = b.add("Stable form of the loss", _primitives_why(stable), "Σ ℓ_i", r"\sum_i \ell_i",
                         S.sample_sum(stable), "equal", id="stable-loss", reference=loss_ref)
    etas = model.etas()
    grads = tuple(_pick(g, sp.diff(stable, e), collect=True) for g, e in zip(base.grad_eta_obs, etas))
    for p, e, g in zip(model.predicted, etas, grads):
        b.add(prose("Gradient in $η_{%s,i}$, as computed" % p.letter), prose("$∂ℓ_i/∂η_{%s,i}$ in stable form."
                                                                             % p.letter),
              "∂ℓ_i/∂η_%s,i" % p.letter, r"\frac{\partial \ell_i}{\partial %s}" % sp.latex(e), g, "derivative",
              Differentiation(wrt=e), id="code-grad-%s" % p.name, reference=loss_ref)
    entries = {(r, c): _pick(base.curvature_obs[r, c], sp.diff(grads[r], etas[c]), collect=True)
               for r in range(len(etas)) for c in range(r, len(etas))}
    # ∂²/∂η_p∂η_q = ∂²/∂η_q∂η_p: one form for both, so the matrix is symmetric as printed
    hessian = sp.ImmutableMatrix(len(etas), len(etas), lambda r, c: entries[min(r, c), max(r, c)])
    b.add("Hessian, as computed", prose("Every second derivative of $ℓ_i$ in stable form."), "∂²ℓ_i/∂η_i∂η_iᵀ",
          r"\frac{\partial^2 \ell_i}{\partial \boldsymbol{\eta}_i \partial \boldsymbol{\eta}_i^{\top}}", hessian,
          "derivative", Differentiation(wrt=tuple(etas), order=2), id="code-hessian", reference=loss_ref)
    fisher = None
    if base.fisher_obs is not None:
        fisher = base.fisher_obs.applyfunc(lambda e: stabilise(e, collect=True))
        if fisher != base.fisher_obs:
            b.add("Fisher information, as computed", _primitives_why(fisher), "E[∂²ℓ_i/∂η_i∂η_iᵀ]",
                  r"\mathbb{E}\left[\frac{\partial^2 \ell_i}{\partial \boldsymbol{\eta}_i \partial "
                  r"\boldsymbol{\eta}_i^{\top}}\right]", fisher, "equal", id="code-fisher", reference=base.step("fisher"))
    nll = _metric_step(b, base)
    results = [Result("What the code computes, per observation: the loss", "ℓ_i", r"\ell_i", stable)]
    document = verify(replace(base, steps=b.steps, checks=[], results=results, tables=[], warnings=[],
                              subtitle=base.subtitle.replace("sum reduction", "per observation")))
    return SeveralForms(document, stable, grads, hessian, fisher, nll)


def _primitives_why(stable):
    """The justification of a stable form: the primitives it uses, each with its definition."""
    x, z = sp.Symbol("x", real=True), sp.Symbol("z", real=True)
    named = []
    for p in (p for p in PRIMITIVES if stable.has(p)):
        if p is logsumexp:
            named.append(prose("$logsumexp(η_i) = log Σ_j exp(η_ij)$, computed after subtracting the largest logit"))
        elif p is logaddexp:
            named.append(prose("$%s = %s$, computed from the larger of the two", p(x, z), p(x, z).elementary()))
        elif p.nargs == {2}:  # xlogy, xlog1py
            named.append(prose("$%s = %s$ (0 where $x = 0$)", p(x, z), p(x, z).elementary()))
        else:
            named.append(prose("$%s = %s$", p(z), p(z).elementary()))
    return prose("The same function in primitives that neither overflow nor underflow where the naive formula "
                 "does: %s.", join(named, ", ", " and "))


def _softmax_k():
    """softmax_k(η_i) = exp(η_ik − logsumexp(η_i)): no overflow at logits of ±1000."""
    return sp.exp(S.eta[S.i, S.k] - logsumexp(S.eta, S.i))


def curvature_reason(curvature: sp.Expr, model, values: dict) -> Prose:
    """Why a curvature that SymPy could not prove positive is not used as it stands — only what was seen: a point
    where it is negative, or where it is 0 (at 50 digits), or that no proof was found. A clause: "the curvature
    can be negative (−0.0559 at y = 0, η = 1/2)"."""
    from ..verification.positivity import sign_witness

    params = {model.params[k]: sp.nsimplify(v) for k, v in values.items() if k in model.params}
    witness = sign_witness(curvature, model, params)
    if witness is None:
        return prose("the curvature is not proved positive on the whole domain")
    at = [prose("$%s = %s$", v, value) for v, value in ((S.y0, witness.y), (S.eta0, witness.eta))]
    at += [prose("$%s = %s$", s, params.get(s, 1)) for s in sorted(curvature.free_symbols & set(model.params.values()),
                                                                     key=sp.default_sort_key)]
    if witness.negative:
        return prose("the curvature can be negative ($%s$ at %s)", sp.Float(witness.value, 3), join(at, ", "))
    if model.y_obs() in curvature.free_symbols and sp.simplify(curvature.subs(model.y_obs(), witness.y)) == 0:
        return prose("the curvature is not proved positive: it is 0 wherever $%s = %s$", S.y0, witness.y)
    return prose("the curvature is not proved positive: it is 0 at %s", join(at, ", "))


def _hessian(b: StepBuilder, base: Derivation, grad_step, scale, boosting: bool, values: dict):
    """(the Hessian's expression, its kind, the reason for it, warnings), its steps added to ``b``."""
    from ..verification import POSITIVITY_BUDGET
    from ..verification.prover import Claim, prove

    model, eta_i = base.model, base.model.eta_obs()
    label, lhs = "∂²ℓ_i/∂η_i²", r"\frac{\partial^2 \ell_i}{\partial \eta_i^2}"
    if base.curvature_obs is None and not model.one_hot or _nonsmooth(base.grad_eta_obs, model):
        fisher = _piecewise_fisher(b, base, grad_step, scale) if boosting else None
        if fisher is not None:
            why = prose("the loss is piecewise linear: its second derivative is 0 almost everywhere")
            return fisher, SURROGATE, why, [why + prose("; the Hessian is the Fisher information at the labels' scale")]
        b.add("A surrogate Hessian", prose(
            "The loss is piecewise linear in $η_i$: its second derivative is 0 almost everywhere, which gives "
            "Newton steps and boosting leaves nothing to divide by. A constant $1$ stands in, as LightGBM's L1 "
            "objective does; the gradient is exact."), label, lhs, sp.S.One, "surrogate", Surrogate(sp.S.One),
            id="code-hess", reference=grad_step)
        why = prose("the loss is piecewise linear: its second derivative is 0 almost everywhere")
        return sp.S.One, SURROGATE, why, [why + prose("; the Hessian is a constant surrogate (1)")]
    if model.one_hot:
        p = _softmax_k()
        hess = p * (1 - p)
        b.add("Hessian, as computed (the diagonal)", prose(
            "$∂²ℓ_i/∂η_ik² = softmax_k(1 − softmax_k)$, positive: the diagonal of the curvature matrix, what "
            "gradient boosting uses per class."), label, lhs, hess, "derivative",
            Differentiation(wrt=eta_i, order=2, convex=True), id="code-hess", reference=grad_step)
        return hess, CURVATURE, prose("the diagonal of the curvature, proved positive"), []
    curvature = scale * base.curvature_obs
    convex = prove(Claim("positive", model.concretize(curvature), "curvature positive"), model,
                   budget=POSITIVITY_BUDGET).ok
    by_moments = None  # the Fisher information through the moments the family declares (Student-t, Weibull)
    if base.fisher_obs is not None and base.step("fisher").payload.mean is None:
        from .information import expected

        # the decomposition of the derivation's curvature (scaled); the verifier proves it for the form computed
        moments, coefficients, (fisher,) = expected(model, sp.ImmutableMatrix([[curvature]]))
        fisher = _pick(scale * base.fisher_obs, fisher, collect=True)
        if not _risky(fisher):  # ψ′(φ·Φ(η)) where Φ(η) underflows (the beta's) is no form to compute with
            by_moments = fisher, Expectation(moments=tuple(moments), coefficients=tuple(coefficients))
    has_fisher = by_moments is not None or base.fisher_obs is not None and base.step("fisher").payload.mean is not None
    # a curvature that depends on y beyond linearly (the Weibull's k²(y·e^(−η))^k) swings with every observation:
    # where the Fisher information exists, a booster takes that steadier expectation instead (k²)
    steadier = boosting and convex and has_fisher and sp.diff(curvature, model.y_obs(), 2) != 0
    convex = convex and not steadier
    # what the code computes is the curvature itself unless Fisher scoring or a surrogate replaces it
    replaced = not convex and (has_fisher or boosting)
    hess = _pick(curvature, sp.diff(grad_step.expr, eta_i))
    why = prose("Differentiate once more%s.", ": positive on the whole domain (proved), so Newton steps and "
                "boosting leaves are well defined" if convex else "")
    curv_step = b.add("Curvature" if replaced else "Curvature, as computed", why, label, lhs, hess, "derivative",
                      Differentiation(wrt=eta_i, order=2, convex=convex),
                      id="code-curvature" if replaced else "code-hess", reference=grad_step)
    if convex:
        return hess, CURVATURE, prose("the curvature, proved positive on the whole domain"), []
    reason = prose("the curvature, positive as it is, depends on $y_i$ beyond linearly ($%s$): it swings with "
                   "every observation, and its expectation gives steadier steps", curvature) if steadier else \
        curvature_reason(curvature, model, values)
    if has_fisher:
        if by_moments is not None:
            fisher, payload = by_moments
        else:  # linear in y: E[y] = μ put in
            mean = model.mean()
            fisher = _pick(scale * base.fisher_obs, hess.subs(model.y_obs(), mean))
            payload = Expectation(mean=mean)
        b.add("Hessian: the Fisher information", prose(
            "%s, so the Hessian is its expectation over $y_i$, the Fisher information — the variance of the score, "
            "never negative: Fisher scoring.", _capital(reason)),
            "E[∂²ℓ_i/∂η_i²]", r"\mathbb{E}\left[\frac{\partial^2 \ell_i}{\partial \eta_i^2}\right]", fisher,
            "expectation", payload, id="code-hess", reference=curv_step)
        return fisher, FISHER, reason, [prose("Fisher scoring, because ") + reason]
    if boosting:
        b.add("A surrogate Hessian", prose(
            "%s and the %s family has no Fisher information here: boosting gets a constant $1$ instead (gradient "
            "steps); the gradient is exact.", _capital(reason), model.family.title), label, lhs, sp.S.One,
            "surrogate", Surrogate(sp.S.One), id="code-hess", reference=grad_step)
        return sp.S.One, SURROGATE, reason, [reason + prose(": the Hessian is a constant surrogate (1)")]
    return hess, INDEFINITE, reason, [prose("the Hessian is the exact curvature, and ") + reason]


def _piecewise_fisher(b: StepBuilder, base: Derivation, grad_step, scale):
    """For a piecewise-linear loss whose curvature is a δ at the kink: its expectation, the Fisher information (the
    density at the centre, by the family's moments), added as steps — or None where the family gives none. The
    boosting objective divides it by the mean loss at the optimal constant margin (mlederive.codegen.conventions):
    the labels' own scale in for the recipe's."""
    from .information import expected

    model, eta_i = base.model, base.model.eta_obs()
    curvature = sp.diff(grad_step.expr, eta_i)
    if not curvature.has(sp.DiracDelta):
        return None
    found = expected(model, sp.ImmutableMatrix([[curvature]]))
    if found is None:
        return None
    moments, coefficients, (fisher,) = found
    label, lhs = "∂²ℓ_i/∂η_i²", r"\frac{\partial^2 \ell_i}{\partial \eta_i^2}"
    curv = b.add("Curvature", prose(
        "Differentiate once more: a δ at the kink, 0 everywhere else — no step size for Newton or a boosting leaf."),
        label, lhs, curvature, "derivative", Differentiation(wrt=eta_i, order=2), id="code-curvature",
        reference=grad_step)
    b.add("Hessian: the Fisher information", prose(
        "Its expectation over $y_i$ is finite: the δ's expectation is the density of $y_i$ at the kink. That is the "
        "Newton step of the expected loss; the boosting objective divides it by the mean loss at the optimal constant "
        "margin, computed once from the labels, which puts the labels' own scale in place of the recipe's."),
        "E[∂²ℓ_i/∂η_i²]", r"\mathbb{E}\left[\frac{\partial^2 \ell_i}{\partial \eta_i^2}\right]", fisher,
        "expectation", Expectation(moments=tuple(moments), coefficients=tuple(coefficients)), id="code-hess",
        reference=curv)
    return fisher


def _capital(p: Prose) -> Prose:
    """The prose with its first letter capitalised (it starts a sentence)."""
    first = p.runs[0]
    if isinstance(first, Text) and first.text:
        return Prose((Text(first.text[0].upper() + first.text[1:]),) + p.runs[1:])
    return p
