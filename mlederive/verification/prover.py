"""Deciding one claim: symbolically by targeted rewrites within a time budget, else numerically.

A claim is an expression that must vanish identically (``zero``) or be positive
(``positive``) on the model's domain, or a fact already decided by exact or IEEE
arithmetic (``fact``). :func:`prove` tries cheap rewrites first and a bounded
``simplify`` last; when SymPy cannot decide in time, the claim is evaluated at sampled
points of the domain and the outcome is labelled ``numeric``, never ``symbolic``.
"""
from __future__ import annotations

import dataclasses
import math
import random
from dataclasses import dataclass

import sympy as sp

from .. import symbolic as S
from ..budget import BudgetExceeded, clock, expired_here, time_budget
from . import classes
from .domain import INTERVALS, on_domain, raised_by_sympy  # noqa: F401  (INTERVALS: re-exported)
from .evaluate import distributed
from .sampler import NotSampleable, domain_fit, model_sampler, plain_sampler, targeted

NUMERIC_POINTS = 20
#: seconds SymPy may spend on one claim before the numeric fallback
CLAIM_BUDGET = 1.0


@dataclass(frozen=True)
class Claim:
    kind: str  # "zero" | "positive" | "fact" (already decided by exact or IEEE arithmetic: expr is a bool)
    expr: sp.Expr
    label: str
    #: why a numeric check may not accept this claim (the step brings in a non-smooth or branch-dependent function
    #: its reference does not have: a wrong term can hide where no sample looks), or "" when it may
    no_numeric: str = ""


#: claim kind → decide(claim, model, seed, budget) for kinds decided their own way, registered by their modules
DECIDERS: dict = {}
#: (applies(expr), decide(claim, model, seed, budget)): a zero claim split into cases first (an indicator 1[y = 0]:
#: mlederive.verification.indicators), each case decided by :func:`decide`
CASE_SPLITS: list = []


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


def symbolic_zero(expr: sp.Expr, budget: float, model=None) -> tuple[bool, bool]:
    """(proved, False). Observation by observation when the claim separates, else whole. (The second value once
    said a log had been split with force=True; nothing is split that way any more.)"""
    if _is_zero(expr):
        return True, False
    deadline = clock() + budget
    parts = _by_observation(expr)
    if len(parts) > 1:
        forced, proved_forms = False, set()
        for part in parts:
            form = _as_first_observation(part)
            if form in proved_forms:  # the same as a group already proved, up to renaming the row
                continue
            proved, used_force = _rewrite_to_zero(part, deadline, model)
            if not proved:
                break
            forced |= used_force
            proved_forms.add(form)
        else:
            return True, forced
    return _rewrite_to_zero(expr, deadline, model)


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


#: (what a claim must have for the rewrite to matter, rewrite, at most seconds), cheapest first; no rewrite assumes
#: anything of its arguments (a log is split only where its factors are proved positive). Measured (issue 10):
#: expand proves ~45% of the claims, expand_log ~17%, together/cancel ~23%; simplify proves 20 claims,
#: each within 0.15 s, and spent 14 s failing on 200 others — so it gets 0.4 s, not the whole budget.
_ATTEMPTS = (
    (None, lambda e: sp.expand(e), math.inf),
    # logs split only where their factors are proved positive on the domain (never expand_log's force=True)
    (sp.log, lambda e: sp.expand(_split(e)), math.inf),
    # log of a rational expression in exp(η): σ(η)/(1 − σ(η)) becomes exp(η), and log(exp(η)) = η for real η
    (sp.log, lambda e: sp.expand(_split(S.expand_functions(e).replace(sp.log, lambda a: sp.log(sp.cancel(sp.together(a)))))),
     math.inf),
    # before expanding products: expand would multiply out powers of sums (bernoulli-cauchit's
    # chain-rule claim grows from 256 to 2244 operations) that together/cancel handle whole
    (None, lambda e: sp.cancel(sp.together(S.expand_functions(e))), math.inf),
    (sp.log, lambda e: sp.cancel(sp.expand(_split(S.expand_functions(e)))), math.inf),
    # log Γ and loggamma: Γ(b + 1) = b·Γ(b) where b > 0 (the stable forms of the beta family)
    ((sp.gamma, sp.loggamma), lambda e: sp.expand(_split(_together_in_logs(_gammas(S.expand_functions(e))))), math.inf),
    # a step function as the sign function it is: H(x) = (1 + sgn x)/2, with H(0) = ½ (SymPy's, and ours)
    (sp.Heaviside, lambda e: sp.expand(e.rewrite(sp.sign)), math.inf),
    (None, lambda e: sp.simplify(_split(S.expand_functions(e))), 0.4),
)


def _split(expr):
    from .positivity import split_logs

    return split_logs(expr)


def _together_in_logs(expr):
    return expr.replace(sp.log, lambda a: sp.log(sp.factor_terms(sp.cancel(sp.together(a)))))


def _gammas(expr):
    from .positivity import gamma_rules

    return gamma_rules(expr) if expr.has(sp.gamma, sp.loggamma) else expr


def _rewrite_to_zero(expr: sp.Expr, deadline: float, model=None) -> tuple[bool, bool]:
    """(proved, used_force). Cheap targeted rewrites first, a bounded simplify last; on the model's domain (η, y and
    μ carry it as assumptions), so a log is split only where that is true there."""
    if _is_zero(expr):
        return True, False
    over_classes = model is not None and model.one_hot and classes.symbolic(expr)
    if over_classes:  # K and the class k are symbols: the rules true for every K first, and after every rewrite
        try:
            with time_budget(max(deadline - clock(), 0.05)):
                expr = classes.class_normal(expr)
        except BudgetExceeded:
            return False, False
        if _is_zero(expr):
            return True, False
    expr = on_domain(expr, model)
    plain = S.expand_functions(expr)
    for needs, attempt, most in _ATTEMPTS:
        if needs is not None and not plain.has(*(needs if isinstance(needs, tuple) else (needs,))):
            continue  # a rewrite for logs (or Γ) on a claim with none
        left = min(deadline - clock(), most)
        if left <= 0:
            break
        try:
            with time_budget(left):
                result = attempt(expr)
                if _is_zero(classes.class_normal(result) if over_classes else result):
                    return True, False
        except BudgetExceeded:
            if left < most:  # the claim's own budget ran out, not just this attempt's
                break
        except Exception as exc:  # noqa: BLE001 — a rewrite SymPy cannot do (or a SymPy bug): no proof, try the next
            if not raised_by_sympy(exc):
                raise
            continue
    return False, False


# -- numeric: evaluating at sampled points --------------------------------------------------

#: digits of the numeric check, and the tolerance of a ``zero`` claim relative to the size of its terms:
#: |Σ terms| ≤ TOLERANCE·(1 + Σ|term|). A value above it, or none (1 − σ(100) is 0 at 40 digits, and its log
#: undefined), is recomputed at RECHECK_DPS and then DEEP_DPS digits (cancellation inside a term can eat the
#: margin: 1 − σ(η) needs 0.44·|η| digits) and fails only if it stays so.
WORKING_DPS, RECHECK_DPS, DEEP_DPS = 40, 80, 500
TOLERANCE_DIGITS = 30


def _evaluate(expr, values, dps):
    """One term through SymPy's substitution and evalf: an mpmath number, or why it has none. A large whole number goes
    in as a float of the same value: substituted exactly, y! at y = 10⁷ would be computed digit by digit."""
    import mpmath

    values = {k: sp.Float(v, dps) if v.is_Integer and abs(v) > 10 ** 4 else v for k, v in values.items()}
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


#: seconds of CPU a symbolic proof gets a second time, when neither it (CLAIM_BUDGET) nor the numeric check decided
SECOND_CHANCE = 4.0
_TOO_SLOW = "undecided — evaluating it at the sampled points took more than %g s"

#: seconds of CPU the numeric check of one claim may take: e^(e^x) at x = 2·10⁶ (a point near a claim's constant)
#: makes mpmath compute log 2 to millions of bits; past this the claim is undecided, never accepted
NUMERIC_BUDGET = 5.0


def _numeric(claim: Claim, model, points: int, seed: int) -> tuple[bool, str]:
    """:func:`_sampled` within :data:`NUMERIC_BUDGET`; a claim that cannot be evaluated in time fails, undecided."""
    try:
        with time_budget(NUMERIC_BUDGET):
            return _sampled(claim, model, points, seed)
    except BudgetExceeded as exc:
        if not expired_here(exc):
            raise
        return False, "%s: %s" % (claim.label, _TOO_SLOW % NUMERIC_BUDGET)


def _sampled(claim: Claim, model, points: int, seed: int) -> tuple[bool, str]:
    """Evaluate at ``points`` points of the model's domain: every one must have a real value, and satisfy the claim.

    A point where the claim is undefined, not finite or complex fails the check (it is in the domain
    the step is stated for); so does a claim that cannot be evaluated at all. A sum of symbolic length is written
    out at a few lengths (:func:`_sized`), and a claim about K classes with K a symbol at each class count from 2
    to 8 (mlederive.verification.classes).
    """
    rng = random.Random(seed)
    cases = []
    for sized, expr in _sized(claim.expr, rng, classes_apart=model is not None and model.one_hot):
        if model is not None and model.one_hot and classes.symbolic(expr):
            cases += [(", ".join(filter(None, ("K = %d, k = %d" % (count, k), sized))),
                       dataclasses.replace(model, classes=count), concrete)
                      for count, k, concrete in classes.instances(expr, rng)]
        else:
            cases.append((sized, model, expr))
    if len(cases) == 1 and not cases[0][0]:
        return _numeric_at(claim, model, points, rng)
    for where, at_model, expr in cases:
        ok, why = _numeric_at(dataclasses.replace(claim, expr=expr), at_model, max(points // len(cases), 2), rng)
        if not ok:
            return False, "%s (%s)" % (why, where)
    return True, ""


#: the lengths a sum or product of symbolic length (n, d, K of an argument) is written out at for the numeric check:
#: a value given to y_i inside Σ_i would be one value for every observation
SIZES = (1, 2, 3, 5)


def _sized(expr, rng, classes_apart: bool) -> list:
    """(what was fixed, ``expr`` with every sum and product of symbolic length written out at it), or [("", expr)]
    when there is none. Each size symbol takes each of :data:`SIZES` once, in an order of its own; a one-hot model's
    K is left to :func:`classes.instances` (``classes_apart``)."""
    symbols = sorted({s for t in expr.atoms(sp.Sum, sp.Product) for _, lo, hi in t.limits
                      for s in lo.free_symbols | hi.free_symbols
                      if not (classes_apart and s == S.K) and not isinstance(s, sp.Idx)},
                     key=sp.default_sort_key)
    if not symbols:
        return [("", expr)]
    orders = {s: rng.sample(SIZES, len(SIZES)) if n else list(SIZES) for n, s in enumerate(symbols)}
    out = []
    for place in range(len(SIZES)):
        values = {s: sp.Integer(orders[s][place]) for s in symbols}
        out.append((", ".join("%s = %s" % kv for kv in values.items()), S.write_out(expr.xreplace(values))))
    return out


def _numeric_at(claim: Claim, model, points: int, rng) -> tuple[bool, str]:
    import mpmath

    claim = dataclasses.replace(claim, expr=distributed(claim.expr))
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
        out = _value_at(evaluate, values, claim.kind == "zero", tolerance)
        if isinstance(out, str):
            return False, "%s: %s at a point of the domain (%s)" % (claim.label, out, _point_text(values))
        v, size = out
        if claim.kind == "zero" and abs(v) > tolerance * (1 + size):
            return False, "%s: nonzero (%s) at a sampled point (%s)" % (claim.label, mpmath.nstr(v, 3),
                                                                         _point_text(values))
        if claim.kind == "positive" and not v > 0:
            return False, "%s: not positive (%s) at a sampled point" % (claim.label, mpmath.nstr(v, 3))
    if claim.kind == "zero" and evaluate is not None:  # and where a wrong term would hide: thresholds, centres, constants
        for point in targeted(claim.expr, values, rng, domain_fit(model)):
            out = _value_at(evaluate, point, True, tolerance)
            if isinstance(out, str):
                continue  # a point a hint chose may sit on a pole or a branch cut: it shows nothing either way
            if abs(out[0]) > tolerance * (1 + out[1]):
                return False, "%s: nonzero (%s) at a point where a wrong term may hide (%s)" % (
                    claim.label, mpmath.nstr(out[0], 3), _point_text(point))
    return True, ""


def _value_at(evaluate, point, zero: bool, tolerance):
    """(value, Σ|term|) at ``point``, or why there is none — with more digits while it has none or (``zero``) is
    above the tolerance."""
    out = evaluate(point, WORKING_DPS)
    for dps in (RECHECK_DPS, DEEP_DPS):
        if not (isinstance(out, str) or (zero and abs(out[0]) > tolerance * (1 + out[1]))):
            break
        out = evaluate(point, dps)
    return out


def prove(claim: Claim, model, seed: int = 0, budget: float = CLAIM_BUDGET) -> Outcome:
    """Decide one claim: symbolically within ``budget`` seconds, else numerically (labelled so).

    Successes are remembered in the on-disk cache (mlederive.cache), keyed by the exact
    expression, the model and the seed; failures are always recomputed.
    """
    if claim.kind == "fact":  # decided by exact or IEEE arithmetic done in the claim itself
        return Outcome(bool(claim.expr), "computed", "" if claim.expr else claim.label + ": false")
    from . import cache

    if not cache.enabled():
        return _decide_safely(claim, model, seed, budget)
    key = cache.key(claim.kind, sp.srepr(claim.expr), str(seed), model.cache_key if model is not None else "")
    method = cache.lookup(key)
    if method is not None:
        return Outcome(True, method, "cached")
    out = _decide_safely(claim, model, seed, budget)
    if out.ok:
        cache.store(key, out.method)
    return out


def _decide_safely(claim: Claim, model, seed: int, budget: float) -> Outcome:
    """:func:`_decide`, with a failure inside SymPy or mpmath turned into a failed claim that says so (never an
    exception out of verify(), never a proof)."""
    try:
        return _decide(claim, model, seed, budget)
    except BudgetExceeded:
        raise
    except Exception as exc:  # noqa: BLE001
        if not raised_by_sympy(exc):
            raise
        return Outcome(False, "symbolic", "%s: undecided — SymPy failed on it (%s: %s)"
                       % (claim.label, type(exc).__name__, str(exc)[:120]))


def decide(claim: Claim, model, seed: int, budget: float) -> Outcome:
    """One claim decided (no cache): what a case of a split claim goes through."""
    return _decide(claim, model, seed, budget)


def _decide(claim: Claim, model, seed: int, budget: float) -> Outcome:
    expr = claim.expr
    if claim.kind in DECIDERS:  # a kind of claim decided its own way (a moment: mlederive.verification.expectations)
        return DECIDERS[claim.kind](claim, model, seed, budget)
    # the cases first (a δ term may sit in either: mlederive.verification.indicators), then δ terms as distributions
    # (mlederive.verification.deltas)
    for applies, decide in CASE_SPLITS:
        if claim.kind == "zero" and applies(expr):
            return decide(claim, model, seed, budget)
    if claim.kind == "zero" and budget > 0:
        proved, _ = symbolic_zero(expr, budget, model)
        if proved:
            return Outcome(True, "symbolic")
    elif claim.kind == "positive":
        if _proved_positive(expr, model, budget):
            return Outcome(True, "symbolic")
        # positivity everywhere is never shown by a sample (a curvature negative on 4 % of the domain
        # passes 20 points): a claim SymPy cannot prove positive fails, unless the point set is finite
        if model is not None or expr.free_symbols:
            return Outcome(False, "symbolic", "%s: not proved positive on the whole domain (a numeric sample "
                                              "cannot show it)" % claim.label)
    if claim.no_numeric:
        return Outcome(False, "symbolic", "%s: not proved, and a sample cannot accept it: %s" % (claim.label,
                                                                                               claim.no_numeric))
    ok, why = _numeric(claim, model, NUMERIC_POINTS, seed)
    if not ok and why.endswith(_TOO_SLOW % NUMERIC_BUDGET) and claim.kind == "zero" and budget > 0:
        # neither way decided it in its budget (a long-running process is slower: its caches and collector): a
        # proof with more time before the claim is called undecided — only a proof, so nothing wrong gets in
        proved, _ = symbolic_zero(expr, SECOND_CHANCE, model)
        if proved:
            return Outcome(True, "symbolic")
    return Outcome(ok, "numeric", why)


def _proved_positive(expr: sp.Expr, model, budget: float, simplified: bool = False) -> bool:
    from .positivity import proved_positive

    start = clock()
    if model is not None and model.one_hot and classes.symbolic(expr):  # Σ_v f_v = f_k + R, R > 0 (K ≥ 2)
        try:
            with time_budget(max(budget, 0.2)):
                expr = classes.split_off_class(classes.class_normal(expr))
        except BudgetExceeded:
            return False
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
    if proved_positive(expr, model, budget - (clock() - start)):
        return True
    # parts that are identically zero (sin² + cos² − 1, σ(η) + σ(−η) − 1) hide a proof: simplify, then once more
    left = budget - (clock() - start)
    if not simplified and left > 0.1:
        try:
            with time_budget(min(left, 1.0)):
                plain = sp.simplify(S.expand_functions(expr))
        except BudgetExceeded:
            return False
        except Exception as exc:  # noqa: BLE001
            if not raised_by_sympy(exc):
                raise
            return False
        if plain != expr:
            return _proved_positive(plain, model, budget - (clock() - start), simplified=True)
    return False


def quick_reject(claim: Claim, model) -> bool:
    """True when three random points already show the claim false (cheap pre-filter)."""
    ok, _ = _numeric(claim, model, 3, seed=7)
    return not ok
