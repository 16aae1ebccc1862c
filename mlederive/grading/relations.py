"""The relation a student's step stands in to the one before, found (not declared), tried in a fixed order, each
decided by the verifier's prover on the sums written out for n = 3 (n = 2 and K = 3 classes for a one-hot outcome):

1. equal (the link substituted, when the names of the mean are gone);
2. the log of the previous step;
3. B = a·A + c with a and c free of θ (of every ηᵢ): a positive factor and a dropped constant keep the argmax; a
   negative factor turns a maximum into a minimum — a composition (negate, rescale by 2σ²/n, drop a constant) is one
   relation;
4. the derivative in ηᵢ, or the gradient in θ (Σᵢ ∂A/∂ηᵢ·xᵢ for ηᵢ = θᵀxᵢ).

None holding, the step is wrong: with the likely error where a mistake of the catalogue (:mod:`.mistakes`), made on the
step before, is proved equal to it; else with a point where it differs from the step before.
"""
from __future__ import annotations

import random
from dataclasses import dataclass

import sympy as sp

from .. import symbolic as S
from ..verification.prover import Claim, prove, quick_reject
from ..verification.sampler import model_sampler

#: rows the sums are written out for
ROWS = 3


def rows(model) -> int:
    """Rows the sums are written out for: 3; 2 for a one-hot outcome, whose K = 3 classes make 6 predictors already
    (a sum over rows is told from one row, and 1/n from 1, with 2 as with 3)."""
    return 2 if model.one_hot else ROWS
BUDGET = 1.0


@dataclass(frozen=True)
class Found:
    relation: str | None  # "equal", "link substituted", "log", "rescaled", "constant dropped", "negated", …
    valid: bool
    flips: bool = False  # a negative factor: a maximum becomes a minimum
    counterexample: dict | None = None
    hint: str = ""  # the likely error, in words
    mistake: str | None = None  # its kind: "sign", "factor", "chain rule", "negation missing", …
    source: int | None = None  # the step it follows from, where that is not the one before (back on track)


def _zero(expr, model) -> bool:
    """``expr`` ≡ 0 on the model's domain: three sampled points first (most relations tried do not hold, and a sample
    shows it at once), then the prover — symbolic, else its numeric check where wrong terms hide."""
    claim = Claim("zero", expr, "grading")
    if quick_reject(claim, model):
        return False
    return prove(claim, model, seed=0, budget=BUDGET).ok


def _etas(model) -> list:
    """Every linear predictor of the sample written out: η₁, η₂, η₃ — and each class's, η_rc, for a one-hot outcome."""
    if model.one_hot:
        return [S.eta[r, c] for r in range(1, rows(model) + 1) for c in range(1, model.classes + 1)]
    return [S.eta[r] for r in range(1, rows(model) + 1)]


def first_eta(model):
    """The predictor a row's derivative is taken in, written out: η₁ (η₁₁, class 1's, for a one-hot outcome)."""
    return S.eta[1, 1] if model.one_hot else S.eta[1]


def gradient(a, model):
    """The gradient in θ of the written-out ``a``: Σ_r ∂a/∂η_r · x_r (class 1's weights, for a one-hot outcome)."""
    return sp.Add(*[sp.diff(a, S.eta[r, 1] if model.one_hot else S.eta[r]) * S.x[r]
                    for r in range(1, rows(model) + 1)])


def concrete(expr, model):
    """The sums written out for n = 3 (and K classes); a row's names (yᵢ, ηᵢ outside a sum) at row 1, class 1."""
    return model.concretize(expr, size=rows(model)).xreplace({S.i: 1, S.k: 1}) if expr is not None else None


def _one_row(expr) -> bool:
    """One observation's density or derivative: it has row i, and no sum or product over the rows."""
    return expr.has(S.i) and not any(total.limits[0][0] == S.i for total in expr.atoms(sp.Sum, sp.Product))


def relate(before: sp.Expr, after: sp.Expr, model, mean_names: bool = False) -> Found:
    a, b = concrete(before, model), concrete(after, model)
    if _zero(a - b, model):
        return Found("link substituted" if mean_names else "equal", True)
    positive = a.is_positive is not False and _sign(a, model) == 1
    if positive and _zero(b - sp.log(a), model):
        return Found("log", True)
    affine = _affine(a, b, model)
    if affine is not None:
        return affine
    if positive:  # the log taken and rescaled (or negated, a constant dropped) in one line
        affine = _affine(sp.expand_log(sp.log(a), force=True), b, model)
        if affine is not None:
            return Found("log, " + affine.relation, True, flips=affine.flips)
    if _zero(b - sp.diff(a, first_eta(model)), model):
        return Found("derivative in η", True)
    if _zero(b - gradient(a, model), model):
        return Found("gradient in θ", True)
    row = _one_row(before)
    if row and _zero(b - concrete(sp.Product(before, (S.i, 1, S.n)), model), model):
        return Found("the likelihood of the sample (independent rows)", True)
    if row and _zero(b - concrete(sp.Sum(sp.expand_log(sp.log(before), force=True), (S.i, 1, S.n)), model), model):
        return Found("the log-likelihood of the sample (independent rows)", True)
    if row and _zero(b - concrete(sp.Sum(before * S.x[S.i], (S.i, 1, S.n)),
                                                                          model), model):
        return Found("gradient in θ by the chain rule", True)  # Σ_i ∂ℓ/∂η_i · x_i from the row's derivative
    mistake, hint = _explained(before, a, b, model)
    return Found(None, False, counterexample=_where_they_differ(a, b, model), hint=hint, mistake=mistake)


def _explained(before, a, b, model) -> tuple[str | None, str]:
    """The catalogue's first mistake that, made on the step before, gives this step (proved, as every relation is):
    its kind and words."""
    from .mistakes import MISTAKES, Situation

    situation = Situation(before, a, b, model, lambda e: concrete(e, model), first_eta(model),
                          lambda e: gradient(e, model), lambda e: _values(e, model))
    for entry in MISTAKES.values():
        for made in entry.make(situation):
            if made.match == "affine" and _affine(made.wrong, b, model) is not None or \
                    made.match == "exact" and _zero(made.wrong - b, model):
                return entry.kind, made.hint
    return None, ""


def _affine(a, b, model) -> Found | None:
    """B = r·A + c, r and c free of every η (r ≠ 0): the relation it is, or None. The factor r is read off at one
    point of the predictors (η = ½, 0.52, …: inside every link's domain), so it is free of θ by construction; then
    ∂B/∂η = r·∂A/∂η is proved for every η — B − r·A has no η left: it is the constant c."""
    etas = _etas(model)
    at = {e: sp.Rational(1, 2) + sp.Rational(k, 50) for k, e in enumerate(etas)}
    slopes = [(sp.diff(a, e), sp.diff(b, e)) for e in etas]
    reference = next(((da, db) for da, db in slopes if _nonzero_at(da, at, model)), None)
    if reference is None:
        return None
    ratio = (reference[1] / reference[0]).xreplace(at)
    if ratio.has(sp.zoo, sp.nan) or _zero(ratio, model):
        return None
    if not _derivatives_match(slopes, ratio, model):
        return None
    sign = _sign(ratio, model)
    if sign is None:
        return None
    one = _zero(ratio - sign, model)
    constant = not _zero(b - ratio * a, model)
    name = {(True, False): "negated", (True, True): "negated, a θ-free constant dropped"}.get((one, constant)) \
        if sign < 0 else {(True, True): "θ-free constant dropped"}.get((one, constant))
    if name is None:
        name = ("negated and rescaled" if sign < 0 else "rescaled by a positive factor") + (
            ", a θ-free constant dropped" if constant else "")
    return Found(name, True, flips=sign < 0)


def _derivatives_match(slopes, ratio, model) -> bool:
    """∂B/∂η = r·∂A/∂η for every η: a claim for each of three predictors; one claim for a one-hot outcome's six —
    their sum of squares, of real derivatives, is 0 only where each one is (one proof of the softmax's instead of
    six: a cross-entropy submission graded in 5 s, not 12)."""
    if len(slopes) > ROWS:
        return _zero(sp.Add(*[(db - ratio * da) ** 2 for da, db in slopes]), model)
    return all(_zero(db - ratio * da, model) for da, db in slopes)


def _at(expr, point, digits: int = 20) -> complex | None:
    """``expr``'s value at ``point`` (a dict, or a sampler to draw one from), or None where it has none there."""
    try:
        point = point(expr) if callable(point) else point
        return complex(sp.N(S.expand_functions(expr).xreplace(point), digits))
    except (TypeError, ValueError, ZeroDivisionError):
        return None


def _nonzero_at(expr, at: dict, model) -> bool:
    """``expr`` is not 0 at the predictors ``at``, at one of a few sampled values of the other symbols (yᵢ, σ …: a
    Bernoulli yᵢ may be 0 at one of them)."""
    expr = expr.xreplace(at)
    if expr == 0:
        return False
    sample = model_sampler(model, random.Random(3), far=False)
    for _ in range(4):
        value = _at(expr, sample, 15)
        if value is None or abs(value) > 1e-12:  # not evaluable here: let the proof decide
            return True
    return False


def _sign(expr, model):
    """+1 or −1: the sign of a θ-free factor at sampled points of the model's domain (None if it changes)."""
    values = _values(expr, model, points=5, seed=0)
    if values is None or any(abs(v.imag) > 1e-12 or v.real == 0 for v in values):
        return None
    signs = {1 if v.real > 0 else -1 for v in values}
    return signs.pop() if len(signs) == 1 else None


def _values(expr, model, points: int = 3, seed: int = 2) -> list | None:
    """``expr`` at a few sampled points of the model's domain (the same points for every expression of a seed), or
    None where it cannot be evaluated at one."""
    sample = model_sampler(model, random.Random(seed), far=False)
    out = [_at(expr, sample) for _ in range(points)]
    return None if None in out else out


def _where_they_differ(a, b, model) -> dict | None:
    """A point of the model's domain (yᵢ, ηᵢ, σ …) where the two sides differ, with both values."""
    difference = a - b
    sample = model_sampler(model, random.Random(1), far=False)
    for _ in range(10):
        point = sample(difference)
        left, right = _at(a, point, 15), _at(b, point, 15)
        if left is None or right is None:
            continue
        if abs(left - right) > 1e-9 * (1 + abs(left)):
            shown = {S.inline(k): round(float(v), 4) for k, v in point.items() if not isinstance(k, sp.Function)}
            return {"at": shown, "previous": _number(left), "this": _number(right)}
    return None


def _number(z: complex):
    return round(z.real, 6) if abs(z.imag) < 1e-12 else str(z)
