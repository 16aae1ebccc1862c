"""Deciding one claim: symbolically by targeted rewrites within a time budget, else numerically.

A claim is an expression that must vanish identically (``zero``) or be positive
(``positive``) on the model's domain, or a fact already decided by exact or IEEE
arithmetic (``fact``). :func:`prove` tries cheap rewrites first and a bounded
``simplify`` last; when SymPy cannot decide in time, the claim is evaluated at sampled
points of the domain and the outcome is labelled ``numeric``, never ``symbolic``.
"""
from __future__ import annotations

import math
import random
import time
from dataclasses import dataclass

import sympy as sp

from .. import symbolic as S
from ..budget import BudgetExceeded, time_budget
from .sampler import NotSampleable, model_sampler, plain_sampler

NUMERIC_POINTS = 20
#: seconds SymPy may spend on one claim before the numeric fallback
CLAIM_BUDGET = 1.0


@dataclass(frozen=True)
class Claim:
    kind: str  # "zero" | "positive" | "fact" (already decided by exact or IEEE arithmetic: expr is a bool)
    expr: sp.Expr
    label: str


@dataclass(frozen=True)
class Outcome:
    ok: bool
    method: str
    detail: str = ""


# -- symbolic: rewriting to zero ------------------------------------------------------------

def _is_zero(e) -> bool:
    # Structural test only: asking SymPy's assumption system (e.is_zero) costs more than the rewrites.
    return e == 0


def _by_observation(expr: sp.Expr) -> list:
    """The additive terms of ``expr`` grouped by the observations (rows j of y_j, η_j, x_jc …) they mention.

    Terms that share a row are in one group; terms that mention no row form their own.
    When every group is identically zero, so is the sum — and each group is the size of one
    observation's term, where ``together``/``cancel`` do not have to build a common denominator
    across the whole sample.
    """
    terms = []
    for term in sp.Add.make_args(expr):  # c·(a + b) → c·a + c·b at the top level only
        terms.extend(sp.Add.make_args(sp.expand(term, deep=False, mul=True, multinomial=False, power_exp=False,
                                                power_base=False, log=False)) if term.is_Mul else (term,))
    groups: list[tuple[set, list]] = []
    for term in terms:
        rows = {a.indices[0] for a in term.atoms(sp.Indexed) if a.indices[0].is_Integer}
        merged = [g for g in groups if g[0] & rows] if rows else [g for g in groups if not g[0]]
        rows_all, members = set(rows), [term]
        for g in merged:
            groups.remove(g)
            rows_all |= g[0]
            members += g[1]
        groups.append((rows_all, members))
    return [sp.Add(*members) for _, members in groups]


def symbolic_zero(expr: sp.Expr, budget: float) -> tuple[bool, bool]:
    """(proved, used_force). Observation by observation when the claim separates, else whole."""
    if _is_zero(expr):
        return True, False
    deadline = time.perf_counter() + budget
    parts = _by_observation(expr)
    if len(parts) > 1:
        forced, proved_forms = False, set()
        for part in parts:
            form = _as_first_observation(part)
            if form in proved_forms:  # the same as a group already proved, up to renaming the row
                continue
            proved, used_force = _rewrite_to_zero(part, deadline)
            if not proved:
                break
            forced |= used_force
            proved_forms.add(form)
        else:
            return True, forced
    return _rewrite_to_zero(expr, deadline)


def _as_first_observation(part: sp.Expr) -> sp.Expr:
    """A one-observation group renamed to row 1 (y_3, x_3c → y_1, x_1c), so equal groups compare equal.

    Renaming free symbols bijectively maps an identity to an identity, so a group equal to an
    already proved one after renaming needs no proof of its own.
    """
    atoms = part.atoms(sp.Indexed)
    rows = {a.indices[0] for a in atoms if a.indices[0].is_Integer}
    if len(rows) != 1:
        return part
    return part.xreplace({a: a.base[(sp.Integer(1),) + a.indices[1:]] for a in atoms if a.indices[0] in rows})


#: (uses force=True, rewrite, at most seconds), cheapest first. Measured over the catalog (issue 10):
#: expand proves ~45% of the claims, expand_log ~17%, together/cancel ~23%; simplify proves 20 claims,
#: each within 0.15 s, and spent 14 s failing on 200 others — so it gets 0.4 s, not the whole budget.
_ATTEMPTS = (
    (False, lambda e: sp.expand(e), math.inf),
    (True, lambda e: sp.expand(sp.expand_log(e, force=True)), math.inf),
    # log of a rational expression in exp(η): σ(η)/(1 − σ(η)) becomes exp(η), and log(exp(η)) = η for real η
    (False, lambda e: sp.expand(S.expand_functions(e).replace(sp.log, lambda a: sp.log(sp.cancel(sp.together(a))))),
     math.inf),
    # before expanding products: expand would multiply out powers of sums (bernoulli-cauchit's
    # chain-rule claim grows from 256 to 2244 operations) that together/cancel handle whole
    (False, lambda e: sp.cancel(sp.together(S.expand_functions(e))), math.inf),
    (True, lambda e: sp.cancel(sp.expand(sp.expand_log(S.expand_functions(e), force=True))), math.inf),
    (True, lambda e: sp.simplify(sp.expand_log(S.expand_functions(e), force=True)), 0.4),
)


def _rewrite_to_zero(expr: sp.Expr, deadline: float) -> tuple[bool, bool]:
    """(proved, used_force). Cheap targeted rewrites first, a bounded simplify last."""
    if _is_zero(expr):
        return True, False
    for used_force, attempt, most in _ATTEMPTS:
        left = min(deadline - time.perf_counter(), most)
        if left <= 0:
            break
        try:
            with time_budget(left):
                if _is_zero(attempt(expr)):
                    return True, used_force
        except BudgetExceeded:
            if left < most:  # the claim's own budget ran out, not just this attempt's
                break
        except (AttributeError, TypeError, ValueError, NotImplementedError, RecursionError, ZeroDivisionError):
            continue  # a rewrite SymPy cannot do on this expression (or a SymPy bug): not a proof, try the next
    return False, False


# -- numeric: evaluating at sampled points --------------------------------------------------

#: digits of the numeric check, and the tolerance of a ``zero`` claim relative to the size of its terms:
#: |Σ terms| ≤ TOLERANCE·(1 + Σ|term|). A value above it is recomputed at RECHECK_DPS digits (cancellation
#: inside a term can eat the margin) and fails only if it stays above.
WORKING_DPS, RECHECK_DPS = 40, 80
TOLERANCE_DIGITS = 30


def _evaluate(expr, values, dps):
    """One term through SymPy's substitution and evalf: an mpmath number, or why it has none."""
    import mpmath

    v = S.expand_functions(expr.xreplace(values)).doit().evalf(dps)
    if not v.is_number:
        return "not evaluable (%s stays symbolic)" % (sorted(map(str, v.free_symbols))[:3] or "a function",)
    if v.has(sp.nan, sp.zoo, sp.oo, -sp.oo):
        return "undefined"
    re, im = v.as_real_imag()
    try:
        return mpmath.mpc(mpmath.mpf(sp.Float(re, dps)._mpf_), mpmath.mpf(sp.Float(im, dps)._mpf_))
    except (TypeError, AttributeError):
        return "not evaluable"


class _Points:
    """A claim's expression evaluated at sampled points: (value, Σ|term|) per point, or why it has no value.

    Compiled once into mpmath closures (mlederive.evaluate); an expression with something the
    evaluator does not know (an unevaluated Sum, a rare special function) goes through SymPy's
    substitution and evalf instead, term by term — at the same precision.
    """

    def __init__(self, expr, keys):
        import mpmath

        from .evaluate import Evaluator, Unsupported

        self.expr, self.keys, self.mp = expr, keys, mpmath
        try:
            self.fast = Evaluator(expr, keys)
        except Unsupported:
            self.fast = None

    def __call__(self, values, dps: int):
        from .evaluate import total_and_size

        with self.mp.workdps(dps):
            if self.fast is not None:
                return self.fast.with_magnitude([values[k] for k in self.keys])
            parts = [_evaluate(t, values, dps) for t in sp.Add.make_args(self.expr)]
            reason = next((p for p in parts if isinstance(p, str)), None)
            return reason if reason is not None else total_and_size(parts)


def _point_text(values) -> str:
    shown = sorted(values.items(), key=lambda kv: sp.default_sort_key(kv[0]))[:4]
    return ", ".join("%s = %.4g" % (k, float(v)) for k, v in shown) + (", …" if len(values) > 4 else "")


def _numeric(claim: Claim, model, points: int, seed: int) -> tuple[bool, str]:
    """Evaluate at ``points`` points of the model's domain: every one must have a real value, and satisfy the claim.

    A point where the claim is undefined, not finite or complex fails the check (it is in the domain
    the step is stated for); so does a claim that cannot be evaluated at all.
    """
    import mpmath

    rng = random.Random(seed)
    sample = model_sampler(model, rng) if model is not None else plain_sampler(rng)
    evaluate = None
    tolerance = mpmath.mpf(10) ** -TOLERANCE_DIGITS
    for _ in range(points):
        try:
            values = sample(claim.expr)
        except NotSampleable as e:
            return False, "%s: %s" % (claim.label, e)
        if evaluate is None:
            evaluate = _Points(claim.expr, list(values))
        out = evaluate(values, WORKING_DPS)
        if claim.kind == "zero" and not isinstance(out, str) and abs(out[0]) > tolerance * (1 + out[1]):
            out = evaluate(values, RECHECK_DPS)  # is it cancellation? more digits tell
        if isinstance(out, str):
            return False, "%s: %s at a point of the domain (%s)" % (claim.label, out, _point_text(values))
        v, size = out
        if claim.kind == "zero" and abs(v) > tolerance * (1 + size):
            return False, "%s: nonzero (%s) at a sampled point (%s)" % (claim.label, mpmath.nstr(v, 3),
                                                                         _point_text(values))
        if claim.kind == "positive" and not v > 0:
            return False, "%s: not positive (%s) at a sampled point" % (claim.label, mpmath.nstr(v, 3))
    return True, ""


def prove(claim: Claim, model, seed: int = 0, budget: float = CLAIM_BUDGET) -> Outcome:
    """Decide one claim: symbolically within ``budget`` seconds, else numerically (labelled so).

    Successes are remembered in the on-disk cache (mlederive.cache), keyed by the exact
    expression, the model and the seed; failures are always recomputed.
    """
    if claim.kind == "fact":  # decided by exact or IEEE arithmetic done in the claim itself
        return Outcome(bool(claim.expr), "computed", "" if claim.expr else claim.label + ": false")
    from . import cache

    if not cache.enabled():
        return _decide(claim, model, seed, budget)
    key = cache.key(claim.kind, sp.srepr(claim.expr), str(seed), model.cache_key if model is not None else "")
    method = cache.lookup(key)
    if method is not None:
        return Outcome(True, method, "cached")
    out = _decide(claim, model, seed, budget)
    if out.ok:
        cache.store(key, out.method)
    return out


def _decide(claim: Claim, model, seed: int, budget: float) -> Outcome:
    expr = claim.expr
    if claim.kind == "zero" and expr.has(sp.DiracDelta):
        return _decide_distribution(claim, model, seed, budget)
    if claim.kind == "zero" and budget > 0:
        proved, used_force = symbolic_zero(expr, budget)
        if proved:
            if used_force:
                # force=True splits logs assuming positive arguments; corroborate on real points.
                ok, why = _numeric(claim, model, 8, seed)
                if not ok:
                    return Outcome(False, "symbolic", why)
            return Outcome(True, "symbolic")
    elif claim.kind == "positive":
        if _proved_positive(expr, model, budget):
            return Outcome(True, "symbolic")
        # positivity everywhere is never shown by a sample (a curvature negative on 4 % of the domain
        # passes 20 points): a claim SymPy cannot prove positive fails, unless the point set is finite
        if model is not None or expr.free_symbols:
            return Outcome(False, "symbolic", "%s: not proved positive on the whole domain (a numeric sample "
                                              "cannot show it)" % claim.label)
    ok, why = _numeric(claim, model, NUMERIC_POINTS, seed)
    return Outcome(ok, "numeric", why)


# -- distributions: δ terms are zero at every sampled point, so they are compared symbolically ----------

def _dirac_key(delta) -> tuple:
    """(canonical argument, order, factor): δ⁽ᵏ⁾(c·p) = δ⁽ᵏ⁾(p) / (|c|·cᵏ), p primitive with a fixed sign."""
    arg, order = delta.args[0], (int(delta.args[1]) if len(delta.args) > 1 else 0)
    c, p = sp.expand(arg).as_content_primitive()
    if p.could_extract_minus_sign():
        c, p = -c, -p
    return p, order, 1 / (abs(c) * c ** order)


def split_distributions(expr: sp.Expr):
    """(regular part, {(argument, order): coefficient}) of a sum of terms c·δ⁽ᵏ⁾(a) and δ-free terms.

    Raises ValueError for a δ this cannot take apart (inside a function, or two in one product).
    """
    regular, groups = [], {}
    for term in sp.Add.make_args(sp.expand(expr)):
        deltas = [f for f in sp.Mul.make_args(term) if isinstance(f, sp.DiracDelta)]
        if not deltas:
            if term.has(sp.DiracDelta):
                raise ValueError("a DiracDelta inside %s" % type(term).__name__)
            regular.append(term)
            continue
        if len(deltas) > 1 or (term / deltas[0]).has(sp.DiracDelta):
            raise ValueError("a product of DiracDeltas")
        p, order, factor = _dirac_key(deltas[0])
        groups[(p, order)] = groups.get((p, order), 0) + term / deltas[0] * factor
    return sp.Add(*regular), groups


def _coefficient_vanishes(coef, arg, budget: float) -> bool:
    """c = 0 where the δ lives (on arg = 0): as it stands, or with arg = 0 solved for a y_i it is linear in."""
    if symbolic_zero(coef, budget)[0]:
        return True
    for y in sorted((a for a in arg.atoms(sp.Indexed) if a.base.label.name == "y"), key=sp.default_sort_key):
        if sp.diff(arg, y, 2) == 0 and sp.diff(arg, y) != 0:
            at = sp.solve(arg, y)
            if len(at) == 1 and symbolic_zero(sp.expand(coef.xreplace({y: at[0]})), budget)[0]:
                return True
    return False


def _decide_distribution(claim: Claim, model, seed: int, budget: float) -> Outcome:
    """A claim with δ terms: each δ's coefficient must vanish symbolically; the rest as any claim."""
    try:
        regular, groups = split_distributions(claim.expr)
    except ValueError as e:
        return Outcome(False, "symbolic", "%s: %s (cannot compare distributions)" % (claim.label, e))
    for (arg, order), coef in groups.items():
        if not _coefficient_vanishes(coef, arg, budget):
            what = "δ(%s)" % arg if order == 0 else "δ^(%d)(%s)" % (order, arg)
            return Outcome(False, "symbolic", "%s: the %s terms do not agree" % (claim.label, what))
    if regular == 0:
        return Outcome(True, "symbolic")
    return _decide(Claim("zero", regular, claim.label), model, seed, budget)


def on_domain(expr: sp.Expr, model) -> sp.Expr:
    """``expr`` with η_i, y_i and μ_i replaced by symbols that carry the model's domain as assumptions.

    η from the link's η-domain, y from the family's support, μ from the mean domains (η > 0 for
    the inverse link, y ≥ 0 for counts, 0 < μ …): what SymPy's ``is_positive`` needs to know.
    """
    if model is None:
        return expr
    fam, link = model.family, model.link
    regions = {"eta": link.eta_domain, "y": fam.support, "mu": fam.mean_domain.intersect(link.mean_domain)}
    subs = {}
    for atom in expr.atoms(sp.Indexed):
        region = regions.get(atom.base.label.name)
        if region is None:
            continue
        if region.is_subset(sp.Interval.open(0, sp.oo)):
            subs[atom] = sp.Dummy(atom.base.label.name, positive=True)
        elif region.is_subset(sp.Interval(0, sp.oo)):
            subs[atom] = sp.Dummy(atom.base.label.name, nonnegative=True)
        elif region.is_subset(sp.S.Reals) and region.contains(0) is sp.false:
            subs[atom] = sp.Dummy(atom.base.label.name, real=True, nonzero=True)
    return expr.xreplace(subs)


def _proved_positive(expr: sp.Expr, model, budget: float) -> bool:
    from .positivity import proved_positive

    start = time.perf_counter()
    shown = on_domain(expr, model)
    if shown.is_positive is True or S.expand_functions(shown).is_positive is True:
        return True
    try:  # σ(η)(1 − σ(η)) becomes e^{−η}/(1 + e^{−η})², visibly positive
        with time_budget(max(budget, 0.2)):
            if sp.cancel(sp.together(S.expand_functions(shown))).is_positive is True:
                return True
    except BudgetExceeded:
        return False
    # the lemmas: y case by case or linear, factors, monotone in η (mlederive.verification.positivity)
    return proved_positive(expr, model, budget - (time.perf_counter() - start))


def quick_reject(claim: Claim, model) -> bool:
    """True when three random points already show the claim false (cheap pre-filter)."""
    ok, _ = _numeric(claim, model, 3, seed=7)
    return not ok
