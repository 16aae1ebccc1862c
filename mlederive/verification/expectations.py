"""Deciding a moment claim, E[m(y)] = value against the model's density: symbolic where SymPy integrates (or sums) in
closed form, else a 40-digit quadrature at sampled points of the parameters, labelled numeric."""
from __future__ import annotations

import random

import sympy as sp

from ..budget import BudgetExceeded, expired_here, time_budget
from .prover import DECIDERS, Claim, Outcome, _point_text, symbolic_zero
from .sampler import model_sampler

#: seconds of CPU SymPy may spend integrating (or summing) a moment in closed form
MOMENT_SYMBOLIC = 8.0
#: a moment SymPy cannot integrate is compared with a quadrature at this many sampled parameter points, to this many
#: digits, within this many seconds of CPU (a quadrature at 40 digits takes about a second)
MOMENT_POINTS, MOMENT_DPS, MOMENT_BUDGET = 4, 40, 30.0
#: a quadrature whose own error estimate (relative) is above this decides nothing; below it, a stated value is accepted
#: within 100 times that estimate (or 10⁻²⁵): a density with an endpoint singularity, y^(a − 1) with a small a,
#: converges to about 10⁻¹⁰ at 40 digits
QUADRATURE_ERROR = 1e-8
#: digits beside MOMENT_DPS for t = high − e^u, whose e^u would otherwise round away below 10⁻⁴⁰
EXTRA_DPS = 200


#: the family's own moments (claims in μ_i, no η in them) decided in this process: (family, claim) → Outcome. Such a
#: claim is the same for every link of the family, and is proved (or refused) once
_FAMILY_MOMENTS: dict = {}


def decide_moment(claim: Claim, model, seed: int, budget: float) -> Outcome:
    """``claim.expr`` is (value, ∫ m(t)·p(t) dt or Σ_t m(t)·p(t)): proved symbolic when SymPy gives the integral in
    closed form and the difference rewrites to zero; else compared with a 40-digit quadrature at sampled points of
    the parameters (labelled numeric). A claim with no η in it is the family's, sampled over all of the family's
    means and decided once per process."""
    link_free = not any(a.base.label.name.startswith("eta") for a in claim.expr.atoms(sp.Indexed))
    key = (model.family.name, claim.expr) if link_free else None
    if key in _FAMILY_MOMENTS:
        return _FAMILY_MOMENTS[key]
    outcome = _decide_moment(claim, model, seed, budget, link_free)
    if key is not None:
        _FAMILY_MOMENTS[key] = outcome
    return outcome


def _decide_moment(claim: Claim, model, seed: int, budget: float, link_free: bool) -> Outcome:
    import mpmath

    value, expectation = claim.expr
    closed = None
    try:
        if model.family.moments_integrate:  # a family whose moments SymPy is known not to integrate goes straight on
            with time_budget(MOMENT_SYMBOLIC):
                closed = expectation.doit()
    except BudgetExceeded as exc:
        if not expired_here(exc):
            raise
    if closed is not None and not closed.has(sp.Integral, sp.Sum) and symbolic_zero(value - closed, budget, model)[0]:
        return Outcome(True, "symbolic")
    rng = random.Random(seed)
    # a property of the family, checked where a quadrature is reliable: the middle of the parameters' domains (far
    # out, a beta with μφ = 10⁻⁶ puts all its mass within 10⁻¹⁰⁰⁰⁰⁰ of 0, beyond any quadrature)
    sample = model_sampler(model, rng, far=False, link_free=link_free)
    gap = value - expectation
    try:
        with time_budget(MOMENT_BUDGET):
            for _ in range(MOMENT_POINTS):
                values = sample(gap)
                out = _quadrature(value, expectation, values, model, link_free)
                if isinstance(out, str):
                    return Outcome(False, "numeric", "%s: %s (%s)" % (claim.label, out, _point_text(values)))
                gap_found, error = out
                if error > QUADRATURE_ERROR:
                    return Outcome(False, "numeric", "%s: undecided — the quadrature did not converge (error estimate "
                                   "%s at %s)" % (claim.label, mpmath.nstr(error, 3), _point_text(values)))
                if gap_found > max(10.0 ** -25, 100 * error):
                    return Outcome(False, "numeric", "%s: the quadrature gives another value (off by %s, relative, "
                                   "at %s)" % (claim.label, mpmath.nstr(gap_found, 3), _point_text(values)))
    except BudgetExceeded as exc:
        if not expired_here(exc):
            raise
        return Outcome(False, "numeric", "%s: undecided — the quadrature took more than %g s" % (claim.label,
                                                                                                 MOMENT_BUDGET))
    return Outcome(True, "numeric")


DECIDERS["moment"] = decide_moment


def _quadrature(value, expectation, values, model, link_free=False):
    """|value − ∫ m·p| / (1 + |value|) at one point of the parameters, by mpmath's quadrature (a sum: nsum) at
    MOMENT_DPS digits on the integrand compiled for mpmath, cut at the family's centre and breaks (in μ_i for a
    ``link_free`` claim, else in η_i); or why there is no number."""
    import mpmath

    with mpmath.workdps(MOMENT_DPS):
        stated = value.xreplace(values).evalf(MOMENT_DPS)
        body, (t, low, high) = expectation.function.xreplace(values), expectation.limits[0]
        if not stated.is_number or body.free_symbols - {t}:
            return "no value at a point of the domain"
        if body.has(sp.DiracDelta):  # a δ has no value at a node: SymPy integrates it symbolically or nothing does
            return "undecided — a δ term is integrated symbolically or not at all"
        compiled = sp.lambdify(t, body, modules="mpmath")

        def f(x):  # a node rounded onto a singular end (y^(a − 1) at 0) has no value; the end has measure zero
            v = compiled(x)
            return v if mpmath.isfinite(v) else mpmath.mpf(0)
        ends = [mpmath.mpf(end.evalf(MOMENT_DPS)) if end.is_finite else sign * mpmath.inf
                for end, sign in ((low, -1), (high, 1))]  # ±π (a circle's support) as a number
        if isinstance(expectation, sp.Sum):
            total, error = mpmath.nsum(f, ends), mpmath.mpf(0)
        else:
            at = (model.mu_obs(), model.values()) if link_free else (model.mean(), model.values_in_eta())
            centre = model.family.moment_centre(*at)
            points = ([] if centre is None else [centre]) + list(model.family.moment_breaks(*at))
            inside = sorted(mpmath.mpf(sp.N(p.xreplace(values), MOMENT_DPS)) for p in points)
            try:
                total, error = _integral(f, ends, inside)
            except (TypeError, ValueError, ZeroDivisionError, OverflowError) as exc:  # mpmath on the integrand
                return "undecided — the quadrature could not evaluate the integrand (%s)" % type(exc).__name__
        stated = mpmath.mpf(sp.Float(stated, MOMENT_DPS))
        if not mpmath.isfinite(total):
            return "the quadrature has no finite value"
        return abs(stated - total) / (1 + abs(stated)), error / (1 + abs(stated))


def _integral(f, ends, inside):
    """∫ f over ``ends`` (cut at the points ``inside``), with its error estimate. A finite end is taken through
    t = end ± e^u, so a density's power singularity there, y^(a − 1) with a small a, becomes an exponential decay
    that tanh-sinh integrates to full precision."""
    import mpmath

    low, high = ends
    if mpmath.isinf(low) and mpmath.isinf(high):
        return mpmath.quad(f, [low] + inside + [high], error=True)
    if mpmath.isinf(high):  # (low, low + 1]: t = low + e^u; beyond, mpmath's own transform of the infinite end
        near = mpmath.quad(lambda u: f(low + mpmath.exp(u)) * mpmath.exp(u), [-mpmath.inf, 0], error=True)
        far = mpmath.quad(f, [low + 1] + [c for c in inside if c > low + 1] + [high], error=True)
        return near[0] + far[0], near[1] + far[1]
    mid = (low + high) / 2  # (low, high): t = low + e^u below the middle, high − e^u above it
    left = mpmath.quad(lambda u: f(low + mpmath.exp(u)) * mpmath.exp(u), [-mpmath.inf, mpmath.log(mid - low)],
                       error=True)
    def near_high(u):  # high − e^u loses e^u's digits to rounding: computed with room for them
        with mpmath.extradps(EXTRA_DPS):
            return f(high - mpmath.exp(u)) * mpmath.exp(u)

    right = mpmath.quad(near_high, [-mpmath.inf, mpmath.log(high - mid)], error=True)
    return left[0] + right[0], left[1] + right[1]
