"""Proving an expression positive on the model's whole domain, and, where it is not, saying why.

SymPy's assumptions decide the easy cases (σ(η)(1 − σ(η)) > 0). What they cannot see, three sound lemmas
take apart, each on one observation's expression in y_i and η_i:

* **the outcome**: a binary y_i takes two values, so the expression is positive when it is at y = 0 and at
  y = 1; an expression N/D with D > 0 and N = A + y·B linear in a y ≥ 0 is positive when A > 0 and B ≥ 0;
* **factors**: a product is positive when every factor is; a power when its base is (an even power when
  its base or minus its base is);
* **monotone in η**: f is positive on an interval (a, b) of η where it is smooth when f′ > 0 there and
  lim_{η→a} f ≥ 0 (or f′ < 0 and lim_{η→b} f ≥ 0) — f(η) = lim f + ∫ f′. This is how ηΦ(η) + φ(η) > 0
  (its derivative is Φ(η) and it vanishes at −∞), hence the probit's log-concavity, is proved.

Nothing is sampled here: a proof is a proof. :func:`sign_witness` is the other side: where the proof fails,
it looks for a point where the expression is negative or zero, evaluated at 50 digits — so that a reason
given for not using a curvature is one that was seen, never a guess.
"""
from __future__ import annotations

import dataclasses
import functools
import itertools
from dataclasses import dataclass

import sympy as sp

from .. import symbolic as S
from ..budget import BudgetExceeded, time_budget
from ..pairing import eta_region

#: how many times the monotone lemma may be applied inside itself (f′ proved by f″ …)
DEPTH = 3

#: functions smooth on the whole real line (no pole, no kink): the monotone lemma may differentiate through them
_SMOOTH = (sp.exp, sp.erf, sp.atan, sp.sin, sp.cos, sp.tanh, S.Phi, S.phi, S.sigmoid)


@functools.lru_cache(maxsize=4096)
def _quick(expr) -> bool:
    """SymPy's assumptions, on the expression, its elementary form, and that over one denominator."""
    if expr.is_positive is True:
        return True
    plain = S.expand_functions(expr)
    if plain.is_positive is True:
        return True
    return sp.cancel(sp.together(plain)).is_positive is True


def _interval(symbol) -> sp.Interval:
    from .domain import INTERVALS

    if symbol in INTERVALS:  # a bounded or one-sided domain known for it (η < 0 for bernoulli-log)
        region = INTERVALS[symbol]
        return sp.Interval.open(region.start, region.end)
    if symbol.is_positive:
        return sp.Interval.open(0, sp.oo)
    if symbol.is_nonnegative:
        return sp.Interval(0, sp.oo)
    if symbol.is_negative:
        return sp.Interval.open(-sp.oo, 0)
    return sp.Interval.open(-sp.oo, sp.oo)


def _smooth(expr, x) -> bool:
    """No pole and no kink in ``x``: every function is one of :data:`_SMOOTH` or a log of a positive argument,
    every negative or fractional power has a base of one sign."""
    for e in sp.preorder_traversal(expr):
        if not e.has(x) or e.is_Symbol or e.is_Add or e.is_Mul:
            continue
        if e.is_Pow:
            if e.exp.is_Integer and e.exp >= 0:
                continue
            if not (_positive(e.base, x, 0) or (e.exp.is_Integer and _positive(-e.base, x, 0))):
                return False
        elif isinstance(e, sp.log):
            if not _positive(e.args[0], x, 0):
                return False
        elif not isinstance(e, _SMOOTH):
            return False
    return True


def _nonnegative_limit(expr, x, point, direction) -> bool:
    value = sp.limit(S.expand_functions(expr), x, point, direction)
    return value == sp.oo or value.is_nonnegative is True


def _monotone(expr, x, depth: int) -> bool:
    """f > 0 on x's interval from f′ of one sign and the limit at the end it rises from."""
    if depth <= 0 or expr.free_symbols - {x} and not all(s.is_positive for s in expr.free_symbols - {x}):
        return False
    if not _smooth(expr, x):
        return False
    low, high = _interval(x).start, _interval(x).end
    slope = sp.diff(expr, x)
    if _positive(slope, x, depth - 1) and _nonnegative_limit(expr, x, low, "+"):
        return True
    return _positive(-slope, x, depth - 1) and _nonnegative_limit(expr, x, high, "-")


@functools.lru_cache(maxsize=4096)
def _positive(expr, x, depth: int) -> bool:
    """Positive for every x in its interval (and every positive parameter). Deterministic, so remembered: the
    lemmas meet the same factor many times."""
    if _quick(expr):
        return True
    if expr.is_Mul:
        coeff, rest = expr.as_coeff_Mul()
        factors = list(sp.Mul.make_args(rest))
        if coeff.is_negative:  # −1·(a − b)·c: the sign goes into a factor that is a sum
            return any(all(_positive(-g if n == m else g, x, depth) for m, g in enumerate(factors))
                       for n, f in enumerate(factors) if f.is_Add) and _quick(-coeff)
        return _quick(coeff) and all(_positive(f, x, depth) for f in factors)
    if expr.is_Pow and expr.exp.is_real:
        if _positive(expr.base, x, depth):
            return True
        return expr.exp.is_Integer and expr.exp.is_even and _positive(-expr.base, x, depth)
    if not expr.has(x):  # a parameter's factor: 2 − p for the Tweedie's p ∈ (1, 2), by its interval
        return positive_factor(expr)
    if _beyond_a_root(expr, x, depth):
        return True
    together = sp.together(expr)
    if together != expr and together.is_Mul:
        return _positive(together, x, depth)
    return _monotone(expr, x, depth) or _in_exponential(expr, x, depth)


def _beyond_a_root(expr, x, depth: int) -> bool:
    """a + √b > 0 where b > a² (then √b > |a| ≥ −a): η + √(η² + 1), the smooth ReLU."""
    if not expr.is_Add or len(expr.args) != 2:
        return False
    for root, other in (expr.args, expr.args[::-1]):
        if root.is_Pow and root.exp == sp.S.Half:
            return _positive(sp.expand(root.base - other ** 2), x, depth)
    return False


def _in_exponential(expr, x, depth: int) -> bool:
    """On the whole line, a function of e^{±x} alone is positive when it is for every t = e^{±x} > 0."""
    if depth <= 0 or _interval(x) != sp.Interval.open(-sp.oo, sp.oo):
        return False
    t = sp.Dummy("t", positive=True)
    for sign in (1, -1):
        in_t = expr.subs(sp.exp(sign * x), t)
        if not in_t.has(x) and _monotone(sp.together(in_t), t, depth - 1):
            return True
    return False


def _nonnegative(expr, x, depth: int) -> bool:
    return expr == 0 or expr.is_nonnegative is True or _positive(expr, x, depth)


@dataclass(frozen=True)
class Observation:
    """One observation's expression with y_i and η_i replaced by symbols that carry their domains."""

    expr: sp.Expr
    y: sp.Symbol | None
    eta: sp.Symbol | None
    support: sp.Set


def observation(expr, model) -> Observation | None:
    """``expr`` in one y and one η (their domains as assumptions), a bounded parameter with its interval; None when it
    mentions anything else indexed."""
    from .domain import with_bounded_parameters

    expr = with_bounded_parameters(expr, model)
    atoms = expr.atoms(sp.Indexed)
    ys = {a for a in atoms if a.base == S.y}
    etas = {a for a in atoms if a.base == S.eta}
    if len(ys) > 1 or len(etas) > 1 or atoms - ys - etas:
        return None
    support = model.family.support
    subs = {}
    y = eta = None
    if ys:
        y = sp.Dummy("y", positive=True) if support.is_subset(sp.Interval.open(0, sp.oo)) else \
            sp.Dummy("y", nonnegative=True) if support.is_subset(sp.Interval(0, sp.oo)) else sp.Dummy("y", real=True)
        subs[next(iter(ys))] = y
    if etas:
        domain = eta_region(model.link, model.family) if not model.one_hot else sp.S.Reals
        if domain is None:
            return None
        if domain == sp.Interval.open(0, sp.oo):
            eta = sp.Dummy("eta", positive=True)
        elif domain == sp.Interval(0, sp.oo):
            eta = sp.Dummy("eta", nonnegative=True)
        elif domain == sp.S.Reals:
            eta = sp.Dummy("eta", real=True)
        else:  # η < 0, 0 < η < 1, η ≠ 0 …: not one of the intervals the lemmas take (no proof, no witness)
            return None
        subs[next(iter(etas))] = eta
    return Observation(expr.xreplace(subs), y, eta, support)


def _positive_in_y(obs: Observation, depth: int = DEPTH) -> bool:
    expr, y, x = obs.expr, obs.y, obs.eta
    flags = [d for d in expr.atoms(sp.KroneckerDelta) if y is not None and y in d.args]
    if flags:  # an indicator 1[y = c] (a censored row): positive at y = c with it 1, and for every y with it 0
        d = flags[0]
        at = next(a for a in d.args if a != y)
        return all(_positive_in_y(dataclasses.replace(obs, expr=case), depth) for case in (
            expr.xreplace({d: sp.S.One}).xreplace({y: at}), expr.xreplace({d: sp.S.Zero})))
    moved = _standardised(expr, x) if y is None or not expr.has(y) else None
    if moved is not None:  # η only through z = (c − η)/σ: positive for every real z
        return _positive(moved[0], moved[1], depth)
    if y is None:
        return _positive(expr, x, depth) if x is not None else _quick(expr)
    if isinstance(obs.support, sp.FiniteSet):  # a binary outcome: each value on its own
        return all(_positive(sp.factor_terms(expr.subs(y, v)), x, depth) for v in obs.support)
    if sp.diff(expr, y, 2) == 0:  # y·A + (1 − y)·B as it stands
        return _linear(expr, obs, depth)
    numerator, denominator = sp.fraction(sp.together(expr))
    if sp.diff(numerator, y, 2) != 0 or not _positive(denominator, x, depth):
        return _positive(expr, x, depth)
    return _linear(numerator, obs, depth)


def _standardised(expr, x):
    """(expr in z, z) when ``expr`` depends on a real x only through one affine z = a + b·x with b ≠ 0 free of x (the
    Tobit's (c − η)/σ): x ↦ z maps ℝ onto ℝ, so positivity in z for every real z is positivity in x. Else None."""
    if x is None or _interval(x) != sp.Interval.open(-sp.oo, sp.oo):
        return None
    inside = {a for f in expr.atoms(sp.Function) for a in f.args if a.has(x) and a != x}
    for arg in inside:
        slope = sp.diff(arg, x)
        if slope.has(x) or not (slope.is_positive or slope.is_negative):  # a slope that may vanish: no bijection
            continue
        z = sp.Dummy("z", real=True)
        moved = sp.simplify(expr.xreplace({x: (z - arg.subs(x, 0)) / slope}))
        if not moved.has(x):
            return moved, z
    return None


def _linear(expr, obs: Observation, depth: int) -> bool:
    """``expr`` linear in y is positive on the support: on a bounded interval, at its ends (positive at a closed
    end, ≥ 0 at an open one and positive at one of them); on y ≥ 0, its value at y = 0 and its slope."""
    y, x, support = obs.y, obs.eta, obs.support
    if isinstance(support, sp.Interval) and support.start.is_finite and support.end.is_finite:
        ends = [(support.start, support.left_open), (support.end, support.right_open)]
        values = [sp.factor_terms(expr.subs(y, v)) for v, _ in ends]
        return all(_nonnegative(v, x, depth) if is_open else _positive(v, x, depth)
                   for v, (_, is_open) in zip(values, ends)) and any(_positive(v, x, depth) for v in values)
    if not support.is_subset(sp.Interval(0, sp.oo)):
        return _positive(expr, x, depth)
    at_zero = sp.factor_terms(sp.expand(expr.subs(y, 0)))
    slope = sp.factor_terms(sp.expand(sp.diff(expr, y)))
    if 0 in support:
        return _positive(at_zero, x, depth) and _nonnegative(slope, x, depth)
    return (_positive(at_zero, x, depth) and _nonnegative(slope, x, depth)) or \
        (_nonnegative(at_zero, x, depth) and _positive(slope, x, depth))


def proved_positive(expr, model, budget: float) -> bool:
    """True only with a proof that ``expr`` > 0 on the whole domain of the model (within ``budget`` seconds)."""
    obs = observation(expr, model) if model is not None else None
    if obs is None:
        return False
    if sign_witness(expr, model, coarse=True) is not None:  # a point where it is ≤ 0: no proof to look for
        return False
    try:
        with time_budget(max(budget, 0.2)):
            proved = _positive_in_y(obs)
    except BudgetExceeded:
        return False
    except Exception as exc:  # noqa: BLE001 — a limit or rewrite SymPy cannot do here: no proof
        from .domain import raised_by_sympy

        if not raised_by_sympy(exc):
            raise
        return False
    # the lemmas lean on SymPy's limits; the points checked first corroborate a proof where a wrong one would show
    return proved


# -- splitting logs where that is true --------------------------------------------------------------

def positive_factor(f) -> bool:
    """A factor proved positive on the domain: by SymPy's assumptions, by the interval of the one bounded symbol it
    is linear in (1 − y for y ∈ (0, 1)), or by the lemmas in the one η it mentions (1 − Φ(η))."""
    from .domain import INTERVALS

    if _quick(f):
        return True
    if f.is_Pow and real(f.exp):  # a positive base to a real power
        return positive_factor(f.base)
    if f.is_Mul:
        return all(positive_factor(g) for g in f.args)
    if isinstance(f, sp.exp):
        return real(f.args[0])
    if isinstance(f, sp.gamma):  # Γ of a positive number
        return positive_factor(f.args[0])
    if isinstance(f, sp.Sum):  # Σ_{v=1}^K e^{η_iv}: positive terms over a nonempty range
        return positive_sum(f)
    if isinstance(f, sp.binomial):  # C(m, my) with 0 ≤ my ≤ m: a proportion of m trials
        top, bottom = f.args
        return bool(top.is_integer and top.is_positive and _between(bottom, 0, top))
    symbols = f.free_symbols
    bounded = [s for s in symbols if s in INTERVALS]
    if len(bounded) == 1 and sp.diff(f, bounded[0], 2) == 0 and all(s.is_positive for s in symbols - set(bounded)):
        v, region = bounded[0], INTERVALS[bounded[0]]
        ends = [(region.start, region.left_open), (region.end, region.right_open)]
        if all(e.is_finite for e, _ in ends):
            values = [f.subs(v, e) for e, _ in ends]
            return all(val.is_nonnegative is True if is_open else val.is_positive is True
                       for val, (_, is_open) in zip(values, ends)) and any(val.is_positive for val in values)
    variables = [s for s in symbols if s in INTERVALS or not s.is_positive]
    if len(variables) == 1 and variables[0].is_real and all(s.is_positive for s in symbols - set(variables)):
        return _positive(f, variables[0], DEPTH)
    return False


def positive_sum(f) -> bool:
    """A sum over a nonempty range of terms each proved positive."""
    return isinstance(f, sp.Sum) and all((hi - lo + 1).is_positive is True for _, lo, hi in f.limits) \
        and positive_factor(f.function)


def real(e) -> bool:
    """``e`` is real on the domain: by assumption, or built of real parts (a power of a positive base, a log of a
    positive number, an exponential of a real one)."""
    if e.is_real:
        return True
    if e.is_Add or e.is_Mul:
        return all(real(a) for a in e.args)
    if e.is_Pow:
        return real(e.exp) and (positive_factor(e.base) or (e.exp.is_integer is True and real(e.base)))
    if isinstance(e, sp.exp):
        return real(e.args[0])
    if isinstance(e, sp.log):
        return positive_factor(e.args[0])
    if isinstance(e, (S.sigmoid, S.Phi, S.phi, sp.erf, sp.atan, sp.tanh)):
        return real(e.args[-1])
    if isinstance(e, (sp.gamma, sp.loggamma)):
        return positive_factor(e.args[0])
    if isinstance(e, sp.Sum):
        return real(e.function)
    return False


def _between(e, low, high) -> bool:
    """low ≤ e ≤ high for every value of the one bounded symbol e is linear in (m·y ∈ [0, m] for y ∈ [0, 1])."""
    from .domain import INTERVALS

    bounded = [s for s in e.free_symbols if s in INTERVALS]
    if len(bounded) != 1 or sp.diff(e, bounded[0], 2) != 0:
        return False
    region = INTERVALS[bounded[0]]
    if not (region.start.is_finite and region.end.is_finite):
        return False
    ends = [e.subs(bounded[0], region.start), e.subs(bounded[0], region.end)]
    return all((v - low).is_nonnegative is True and (high - v).is_nonnegative is True for v in ends)


def split_logs(expr):
    """log of a product or power written as a sum of logs only where each factor is proved positive on the domain
    (log((100 − η)²) is not 2·log(100 − η) where η can pass 100): SymPy's expand_log(force=True) without the
    assumption it makes."""
    def split(arg):
        if arg.is_Mul:
            factors = sp.Mul.make_args(arg)
            if all(positive_factor(f) for f in factors):
                return sp.Add(*[split(f) for f in factors])
        elif arg.is_Pow and arg.exp.is_real and positive_factor(arg.base):
            return arg.exp * split(arg.base)
        elif isinstance(arg, sp.exp) and real(arg.args[0]):
            return arg.args[0]
        return sp.log(arg)

    return expr.replace(lambda e: isinstance(e, sp.log), lambda e: split(e.args[0]))


def gamma_rules(expr):
    """log Γ(a) as loggamma(a) where a > 0 (Γ(a) > 0 there), and loggamma(1 + b) as log b + loggamma(b) where b > 0
    (Γ(b + 1) = b·Γ(b)), every argument over one denominator: what proves the stable log Γ(1 + φμ) − log φ − log μ of
    the beta family equal to log Γ(φμ)."""
    def canonical(a):
        return sp.cancel(sp.together(a))

    expr = expr.replace(lambda t: isinstance(t, sp.log) and isinstance(t.args[0], sp.gamma)
                        and positive_factor(t.args[0].args[0]), lambda t: sp.loggamma(canonical(t.args[0].args[0])))

    def shift(t):
        a = t.args[0]
        if a.is_Add and sp.S.One in a.args:
            b = canonical(a - 1)
            if positive_factor(b):
                return sp.log(b) + sp.loggamma(b)
        return sp.loggamma(canonical(a))

    return expr.replace(lambda t: isinstance(t, sp.loggamma), shift)


# -- where it is not positive --------------------------------------------------------------------------

@dataclass(frozen=True)
class Witness:
    """A point of the domain where the expression is not positive: its value there (50 digits)."""

    y: object
    eta: object
    value: object

    @property
    def negative(self) -> bool:
        return self.value < 0


def _candidates(obs: Observation, coarse: bool = False):
    """(y, η) points: y at the edges of the support and a few inside; η over the link's domain, near 0 and far out
    (``coarse``: every second η)."""
    if isinstance(obs.support, sp.FiniteSet):
        ys = sorted(obs.support.args)
    elif obs.support.is_subset(sp.Interval(0, sp.oo)):
        ys = ([sp.Integer(0)] if 0 in obs.support else []) + [sp.Rational(1, 10), sp.Rational(1, 2), sp.Integer(1),
                                                               sp.Integer(2), sp.Integer(5), sp.Integer(20)]
        if obs.support.is_subset(sp.Interval(0, 1)):
            ys = [v for v in ys if v in obs.support] + [sp.Rational(9, 10), sp.Rational(99, 100)]
    else:
        ys = [sp.Integer(v) for v in (-5, -1, 0, 1, 5)]
        if obs.support != sp.S.Reals:  # a bounded support (an angle's [−π, π]): points inside it only
            ys = sorted(v for v in ys + [sp.Integer(-3), sp.Integer(3)] if obs.support.contains(v) is sp.true)
    etas = [sp.Rational(v, 4) for v in range(-40, 41, 2 if coarse else 1)] + [sp.Integer(v) for v in (-30, -20, 20, 30)]
    if obs.eta is not None and obs.eta.is_nonnegative:
        etas = [e for e in etas if e > 0 or (e == 0 and not obs.eta.is_positive)]
    return ys, etas


def sign_witness(expr, model, params: dict | None = None, coarse: bool = False) -> Witness | None:
    """A point (y, η) where ``expr`` is ≤ 0, the first negative one if any, else the first zero; None if none
    is found. Positive parameters are set to 1 unless ``params`` gives them."""
    import mpmath

    from .evaluate import Evaluator, Unsupported

    obs = observation(expr, model)
    if obs is None:
        return None
    rest = {s: sp.Integer(1) for s in obs.expr.free_symbols - {obs.y, obs.eta}}
    rest.update(params or {})
    keys = [k for k in (obs.y, obs.eta) if k is not None]
    try:
        evaluate = Evaluator(obs.expr.xreplace(rest), keys)
    except Unsupported:
        return None
    ys, etas = _candidates(obs, coarse)
    zero = None
    for y, eta in itertools.product(ys if obs.y is not None else [None], etas if obs.eta is not None else [None]):
        values = [v for v in (y, eta) if v is not None]
        with mpmath.workdps(50):
            out = evaluate.with_magnitude(values)
        if isinstance(out, str):  # undefined, not finite or complex: no witness either way
            continue
        value = out[0]
        if value < 0 and abs(value) > mpmath.mpf(10) ** -30 * (1 + out[1]):
            return Witness(y, eta, sp.Float(value, 50))
        if zero is None and value == 0:
            zero = Witness(y, eta, sp.Integer(0))
    return zero


__all__ = ["Witness", "proved_positive", "sign_witness"]
