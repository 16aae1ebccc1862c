"""The independent ground truth of the mutation corpus: does a mutated step differ from the verified original?

Independent of the verifier: its own points, its own precision (SymPy's evalf at 60 digits), its own reading of
the domain (the family's support, the link's η-domain, the symbols' assumptions). A mutation is *witnessed wrong*
(True) when a point tells it apart from the original, *equal* (False) when every point was evaluated and none does,
and *unwitnessed* (None) when no point could be evaluated. The points:

* **the middle** of the domain, the sample written out (n = 3, d = 2; a one-hot outcome at K = 2, 3 and 5, with the
  class k fixed to 1, 2 and 3 and one-hot targets);
* **the whole domain**, heavy-tailed: η to ±10³ or to the edge of its region, counts to 10⁷, positive values and
  scales from 10⁻⁶ to 10⁶, a bounded y within 10⁻⁶ of its ends;
* **one observation repeated** n times, with n and d from 10³ to 10⁶: a sum over the sample is then n times its term,
  so a term that depends on the sample size shows;
* **near the numbers the mutation brings in**: each scalar in turn set to c, c(1 ± 10⁻³), 2c and −c, y and η of a row
  both beyond c (1.5c and 2c, either order, either sign); and y and η of a row within 10⁻⁴ of each other (where a
  kink of |η − y| is).
"""
from __future__ import annotations

import contextlib
import math
import random
import signal
import threading
from dataclasses import replace

import sympy as sp

from mlederive import symbolic as S
from mlederive.primitives import expand_primitives

DIGITS = 60
MID, WIDE, LARGE = 4, 4, 3
#: at most this many points near the mutation's numbers and near coincidences
NEAR = 32
#: the largest |η| a point near a number gets (the wide points reach 10³)
ETA_MAX = 10 ** 4
#: a difference counts when |a − b| > TOLERANCE·(1 + |a|): far above 60-digit rounding, far below any mutation
TOLERANCE = sp.Float(10, DIGITS) ** -30


# -- the domain, read from the model ---------------------------------------------------------------------------

def _region_eta(m):
    from mlederive.pairing import eta_region

    return (eta_region(m.link, m.family) if not m.one_hot else None) or m.link.eta_domain


def _in(region, value) -> bool:
    try:
        return bool(region.contains(value))
    except TypeError:
        return False


def _heavy(rng, low=-3, high=3):
    return rng.choice((-1, 1)) * 10 ** rng.uniform(low, high)


def _mean(m, rng) -> sp.Float:
    region = m.family.mean_domain.intersect(m.link.mean_domain)
    lo = float(region.inf) if region.inf.is_finite else -2.0
    hi = float(region.sup) if region.sup.is_finite else lo + 4.0
    return sp.Float(rng.uniform(lo + 0.1 * (hi - lo), hi - 0.1 * (hi - lo)), DIGITS)


def _y(m, rng, wide: bool):
    fam = m.family
    support = fam.support
    if isinstance(support, sp.FiniteSet):
        return rng.choice(sorted(support.args))
    if support.is_subset(sp.S.Naturals0):
        return sp.Integer(int(10 ** rng.uniform(0, 7))) if wide else sp.Integer(rng.randint(0, 6))
    lo, hi = support.inf, support.sup
    if wide:
        if lo.is_finite and hi.is_finite:  # near one end of a bounded support
            t = 10 ** -rng.uniform(0, 6) * (hi - lo)
            v = lo + t if rng.random() < 0.5 else hi - t
        elif lo.is_finite:
            v = lo + 10 ** rng.uniform(-6, 6)
        else:
            v = _heavy(rng)
        value = sp.Float(v, DIGITS)
        return value if _in(support, value) else None
    lo_f = max(float(lo), -2.0) if lo.is_finite else -2.0
    hi_f = min(float(hi), 3.0) if hi.is_finite else 3.0
    return sp.Float(rng.uniform(lo_f + 0.1 * (hi_f - lo_f), hi_f - 0.1 * (hi_f - lo_f)), DIGITS)


def _eta(m, rng, wide: bool):
    if m.one_hot:
        return sp.Float(_heavy(rng, -2, 3) if wide else rng.uniform(-2, 2), DIGITS)
    region = _region_eta(m)
    if not wide:
        return sp.N(m.link(_mean(m, rng)), DIGITS)
    for _ in range(20):
        lo, hi = region.inf, region.sup
        if lo.is_finite and rng.random() < 0.3:
            v = float(lo) + 10 ** rng.uniform(-6, 3)
        elif hi.is_finite and rng.random() < 0.3:
            v = float(hi) - 10 ** rng.uniform(-6, 3)
        else:
            v = _heavy(rng)
        value = sp.Float(v, DIGITS)
        if _in(region, value):
            return value
    return sp.N(m.link(_mean(m, rng)), DIGITS)


def _scalar(a, rng, wide: bool):
    """A value for a symbol by its assumptions alone."""
    if getattr(a, "is_integer", False):
        return sp.Integer(rng.randint(1 if a.is_positive else 0, 5))
    if getattr(a, "is_positive", False):
        return sp.Float(10 ** rng.uniform(-6, 6) if wide else rng.uniform(0.3, 2.5), DIGITS)
    if getattr(a, "is_nonnegative", False):
        return sp.Float(10 ** rng.uniform(-6, 6) if wide else rng.uniform(0, 2.5), DIGITS)
    return sp.Float(_heavy(rng, -2, 2) if wide else rng.uniform(-1.5, 1.5), DIGITS)


def _role(a) -> str:
    if isinstance(a, sp.Indexed):
        return a.base.label.name
    return getattr(a, "name", "")


# -- settings: how a step is made concrete ---------------------------------------------------------------------

def _rows_collapsed(expr):
    """One observation repeated: y_i, η_i, x_i … (and θ_j) the same for every i (j), so Σ_i f = n·f, Π_i f = fⁿ."""
    subs = {}
    for a in expr.atoms(sp.Indexed):
        if a.indices[0] == S.i and len(a.indices) == 1:
            subs[a] = sp.Symbol("%s_row" % a.base.label.name, **_assumptions(a))
        elif a.indices[0] == S.i and len(a.indices) == 2 and a.indices[1].is_Integer:
            subs[a] = sp.Symbol("%s_row_%s" % (a.base.label.name, a.indices[1]), **_assumptions(a))
        elif a.base == S.weights and a.indices[0] == S.j:
            subs[a] = sp.Symbol("theta_row", real=True)
    for g in expr.atoms(sp.Function):
        if type(g).__name__ == "GradF" and g.args[0] == S.i:
            subs[g] = sp.Symbol("gradf_row", real=True)
    if not subs:
        return None
    out = expr.xreplace(subs)
    if any(a.indices[0] in (S.i, S.j) for a in out.atoms(sp.Indexed)):  # a row still indexed another way
        return None
    return out.doit()


def _assumptions(a) -> dict:
    base = a.base.label
    return {"positive": True} if base.is_positive else {"real": True}


def settings(d, rng) -> list:
    """(name, model or None, make-concrete) for the document: how its expressions become evaluable."""
    m = getattr(d, "model", None)
    if m is None:
        def plain(e):
            e = e.xreplace({s: sp.Integer(4 if s.name == "K" else 3) for s in _sizes(e)})
            return S.write_out(e) if e.has(sp.Sum, sp.Product) else e

        return [("sample", None, plain)]
    out = []
    if m.one_hot:
        for classes, k in ((3, 1), (2, 2), (5, 3)):
            mk = replace(m, classes=classes)
            out.append(("K = %d, k = %d" % (classes, k), mk,
                        lambda e, mk=mk, k=k: mk.concretize(expand_primitives(e).subs(S.k, k), size=3)))  # subs: free k only
        return out
    out.append(("sample", m, lambda e: m.concretize(expand_primitives(e), size=3)))
    out.append(("one row, large n", m, lambda e: _rows_collapsed(expand_primitives(e))))
    return out


def _sizes(expr) -> set:
    return {s for t in expr.atoms(sp.Sum, sp.Product) for _, lo, hi in t.limits
            for s in lo.free_symbols | hi.free_symbols if not isinstance(s, sp.Idx)}


# -- points -------------------------------------------------------------------------------------------------------

def _atoms(*exprs) -> list:
    """What a point gives a value: indexed quantities, symbols (not indices), opaque functions and their
    derivatives (q_θ(k) of an argument: any model probability)."""
    atoms = set()
    for e in exprs:
        indexed = e.atoms(sp.Indexed)
        labels = {a.base.label for a in indexed}  # y of y[i, 1] is no quantity of its own
        atoms |= indexed
        atoms |= {s for s in e.free_symbols if isinstance(s, sp.Symbol) and not isinstance(s, sp.Idx)
                  and s not in labels}
        atoms |= {f for f in e.atoms(sp.Function) if getattr(type(f), "opaque", False)}
        atoms |= {dv for dv in e.atoms(sp.Derivative) if getattr(type(dv.expr), "opaque", False)}
    return sorted(atoms, key=sp.default_sort_key)


def point(m, atoms, rng, wide: bool, large: bool = False) -> dict | None:
    values, onehot = {}, {}
    for a in atoms:
        role = _role(a)
        base = role.removesuffix("_row") if role.endswith("_row") else role.split("_row_")[0]
        if m is not None and base == "y":
            if m.one_hot:
                row, column = a.indices
                if row not in onehot:
                    onehot[row] = rng.randint(1, m.classes)
                values[a] = sp.Integer(1 if int(column) == onehot[row] else 0)
                continue
            v = _y(m, rng, wide)
        elif m is not None and base == "eta":
            v = _eta(m, rng, wide)
        elif m is not None and base == "mu":
            v = _mean(m, rng)
        elif a in (S.n, S.d) and large:
            v = sp.Integer(int(10 ** rng.uniform(3, 6)))
        elif isinstance(a, (sp.Function, sp.Derivative)):  # an opaque q_θ(k) and its derivatives
            v = sp.Float(rng.uniform(0.05, 0.95) if isinstance(a, sp.Function) else rng.uniform(-1, 1), DIGITS)
        elif isinstance(a, sp.Indexed):
            v = _scalar(a.base.label, rng, wide)
        elif _domain(m, a) is not None:  # a parameter restricted to an interval (τ, p): a point inside it
            lo, hi = (float(e) for e in (_domain(m, a).inf, _domain(m, a).sup))
            v = sp.Float(rng.uniform(lo, hi) if not wide else lo + (hi - lo) * 10 ** -rng.uniform(0, 6)
                         if rng.random() < 0.5 else hi - (hi - lo) * 10 ** -rng.uniform(0, 6), DIGITS)
        else:
            v = _scalar(a, rng, wide)
        if v is None:
            return None
        values[a] = v
    return values


def near(m, atoms, base_point, numbers, rng) -> list:
    """Points near the mutation's numbers (each scalar set to c, c(1 ± 10⁻³), 2c) and y, η of a row 10⁻⁴ apart."""
    out = []
    movable = [a for a in atoms if not isinstance(a, (sp.Function, sp.Derivative))
               and not (m is not None and m.one_hot and _role(a) == "y")]
    for c in numbers:
        for a in movable:
            for v in (c, c * (1 + 1e-3), c * (1 - 1e-3), 2 * c, -c):
                value = _fit(m, a, v)
                if value is not None:
                    out.append({**base_point, a: value})
    ys = [a for a in movable if _role(a).startswith("y")]
    etas = [a for a in movable if _role(a).startswith("eta")]
    for y in ys:
        for eta in etas:
            if getattr(y, "indices", (None,))[:1] != getattr(eta, "indices", (None,))[:1]:
                continue
            for delta in (1e-4, -1e-4):  # y and η of a row close: where |η − y| has its kink
                value = _fit(m, eta, float(base_point[y]) + delta)
                if value is not None:
                    out.append({**base_point, eta: value})
            for c in numbers:  # y and η of a row both beyond the number, in either order (a clamp of η at c)
                for vy, ve in ((1.5 * c, 2 * c), (2 * c, 1.5 * c), (-1.5 * c, -2 * c), (-2 * c, -1.5 * c)):
                    fy, fe = _fit(m, y, vy), _fit(m, eta, ve)
                    if fy is not None and fe is not None:
                        out.append({**base_point, y: fy, eta: fe})
    rng.shuffle(out)
    return out[:NEAR]


def _fit(m, a, v):
    role = _role(a)
    base = role.removesuffix("_row") if role.endswith("_row") else role.split("_row_")[0]
    if not math.isfinite(v):
        return None
    if m is not None and base == "y":
        support = m.family.support
        if isinstance(support, sp.FiniteSet):
            return None
        if support.is_subset(sp.S.Naturals0):
            v = round(v)
        value = sp.Float(v, DIGITS) if not support.is_subset(sp.S.Naturals0) else sp.Integer(v)
        return value if _in(support, value) else None
    if m is not None and base == "eta":
        if abs(v) > ETA_MAX:  # e^η at η = 2·10⁶ is a number of 870,000 digits: evalf would take minutes
            return None
        value = sp.Float(v, DIGITS)
        return value if _in(_region_eta(m), value) else None
    if m is not None and base == "mu":
        return None
    if getattr(a, "is_integer", False):
        whole = round(v)
        return sp.Integer(whole) if whole >= (1 if a.is_positive else 0) else None
    if _domain(m, a) is not None:
        return sp.Float(v, DIGITS) if _in(_domain(m, a), sp.Float(v, DIGITS)) else None
    if getattr(a, "is_positive", False) or getattr(a, "is_nonnegative", False):
        return sp.Float(v, DIGITS) if v > 0 else None
    return sp.Float(v, DIGITS)


def _domain(m, a):
    """A known parameter's interval where it is bounded (the quantile level τ ∈ (0, 1), the Tweedie's p ∈ (1, 2)), else
    None: the model is only claimed there."""
    if m is None:
        return None
    param = next((p for p in m.family.params if p.symbol == a), None)
    if param is None or not isinstance(param.domain, sp.Interval):
        return None
    d = param.domain
    return d if d.inf.is_finite and d.sup.is_finite else None


def _numbers(a, b) -> list:
    """The numbers ``b`` mentions that ``a`` does not (10⁵ in max(0, y − 10⁵)), largest first, at most four."""
    def numbers(e):
        return {abs(float(c)) for c in e.atoms(sp.Number) if c.is_real and c != 0 and abs(float(c)) != 1}
    new = sorted(numbers(b) - numbers(a), reverse=True)
    return [c for c in new if c < 1e12][:4]


# -- evaluation ---------------------------------------------------------------------------------------------------

#: seconds one evaluation may take: y^k at y = 10⁶, k = 10⁶, or e^x at x = 10⁹ (evalf computes log 2 to as many bits
#: as x has) take minutes; such a point has no value here (it is skipped, never a witness)
EVAL_SECONDS = 2.0


class _Slow(Exception):
    pass


@contextlib.contextmanager
def _at_most(seconds: float):
    """Raise :class:`_Slow` in the block after ``seconds`` of wall time (SIGALRM: the main thread only; elsewhere the
    block runs unbounded). mlederive's own budgets use SIGPROF, so the two never meet."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def alarm(signum, frame):
        raise _Slow()

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def value(expr, values):
    # a large whole number as a float of the same value: exactly, y! at y = 10⁷ would be computed digit by digit
    values = {k: sp.Float(v, DIGITS) if getattr(v, "is_Integer", False) and abs(v) > 10 ** 4 else v
              for k, v in values.items()}
    try:
        with _at_most(EVAL_SECONDS):
            v = expr.xreplace(values)
            v = v.evalf(DIGITS) if isinstance(v, sp.MatrixBase) else sp.N(v, DIGITS)
    except (TypeError, ValueError, ZeroDivisionError, OverflowError, RecursionError, _Slow):
        return None
    if isinstance(v, sp.MatrixBase):
        return v if all(x.is_number for x in v) else None
    if not v.is_number or v.has(sp.nan, sp.zoo, sp.oo, -sp.oo):
        return None
    return v


def _differ(va, vb, gap=None) -> bool:
    """Apart by more than TOLERANCE·(1 + |a|) — or, both far from 0, by more than 10⁻²⁵ of their size where the
    difference itself (``gap``: b − a evaluated as one expression, its common terms cancelled) is computed to full
    precision: a product of densities is e^{−3000} at one point and e^{−760} at the other, both below any absolute
    tolerance, yet not equal; while sin²η + cos²η − 1 added to a density of 10⁻⁴⁰⁰ is a 0 evalf cannot pin down (a
    precision of one bit), and is never compared relatively."""
    if isinstance(va, sp.MatrixBase):
        scale = 1 + max(abs(x) for x in va)
        return any(abs(x) > TOLERANCE * scale for x in (va - vb))
    if abs(va - vb) > TOLERANCE * (1 + abs(va)):
        return True
    exact = gap is not None and isinstance(gap, sp.Float) and va != 0 and vb != 0
    return bool(exact and abs(gap) > sp.Float(10) ** -25 * max(abs(va), abs(vb)))


def compare(d, a_expr, b_expr, rng, sign: bool = False):
    """True when a point shows ``b_expr`` ≠ ``a_expr`` (``sign``: when b_expr ≤ 0 somewhere), False when every point
    agrees, None when none could be evaluated."""
    seen = False
    for name, m, concrete in settings(d, rng):
        try:
            a = concrete(a_expr) if a_expr is not None else None
            b = concrete(b_expr)
        except (TypeError, ValueError, NotImplementedError, RecursionError, AttributeError):
            continue
        if b is None or (a_expr is not None and a is None):
            continue
        exprs = [e for e in (a, b) if e is not None]
        atoms = _atoms(*exprs)
        large = name.startswith("one row")
        plan = [(False, large)] * (MID if not large else LARGE) + [(True, large)] * (WIDE if not large else LARGE)
        first = None
        for wide, big in plan:
            values = point(m, atoms, rng, wide, big)
            if values is None:
                continue
            first = first or values
            verdict = _judge(a, b, values, sign)
            if verdict is True:
                return True
            seen |= verdict is False
        if first is not None and a is not None:
            for values in near(m, atoms, first, _numbers(a, b), rng):
                verdict = _judge(a, b, values, sign)
                if verdict is True:
                    return True
                seen |= verdict is False
    return False if seen else None


def _judge(a, b, values, sign: bool):
    """True: this point shows the mutation wrong; False: it agrees here; None: no value here."""
    vb = value(b, values)
    if sign:  # a claim of positivity: wrong where the value is ≤ 0 or not real
        if vb is None:
            return None
        re, im = vb.as_real_imag()
        return bool(abs(im) > TOLERANCE * (1 + abs(re)) or re <= 0)
    if isinstance(a, sp.Basic) and (a.has(sp.DiracDelta) or b.has(sp.DiracDelta)):
        return _judge_distribution(a, b, values)
    va = value(a, values)
    if va is None:
        return None
    if vb is None:
        return True  # undefined where the original has a value
    if _differ(va, vb):  # plainly apart: no need for the gap at 120 digits
        return True
    return bool(_differ(va, vb, _gap(b - a, values)))


def _gap(difference, values):
    """b − a at the point, when it is a number and not rounding noise: evaluated at 60 and at 120 digits, the two
    agree to 10⁻¹⁰ (sin²η + cos²η − 1 is 10⁻⁶⁸ at one precision and 10⁻¹²⁸ at the other)."""
    low = value(difference, values)
    if low is None or low == 0:
        return None
    try:
        with _at_most(EVAL_SECONDS):
            high = sp.N(difference.xreplace({k: sp.Float(v, 2 * DIGITS) for k, v in values.items()}), 2 * DIGITS)
    except (TypeError, ValueError, ZeroDivisionError, OverflowError, RecursionError, _Slow):
        return None
    if not high.is_number or abs(high - low) > sp.Float(10) ** -10 * abs(low):
        return None
    return low


def _judge_distribution(a, b, values):
    """δ terms vanish at every point, so they are compared as distributions: the δ terms of b − a paired with a
    Gaussian test function in the variable of their δ, centred at the point (:func:`_pair`: by hand, not by the
    verifier's normal form, nor by ``integrate``, which can run for minutes); the rest point by point."""
    regular, singular = [], []
    for term in sp.Add.make_args(sp.expand(b - a)):
        (singular if term.has(sp.DiracDelta) else regular).append(term)
    size = value(sp.Add(*[t for t in sp.Add.make_args(sp.expand(a)) if not t.has(sp.DiracDelta)]), values)
    rest = value(sp.Add(*regular), values)
    if rest is None or size is None:
        return None
    if abs(rest) > TOLERANCE * (1 + abs(size)):
        return True
    groups: dict = {}
    for term in singular:  # the terms of one δ variable together: x·δ′(x) + δ(x) is 0 only as a whole
        delta = next(iter(term.atoms(sp.DiracDelta)))
        inside = [v for v in _atoms(delta.args[0]) if v in values]
        if not inside:
            return None
        var = next((v for v in inside if _role(v).startswith("eta")), inside[0])
        groups.setdefault(var, []).append(term)
    for var, terms in groups.items():
        t = sp.Dummy("t", real=True)
        others = {k: v for k, v in values.items() if k != var}
        integral = sp.S.Zero
        for term in terms:
            paired = _pair(term.xreplace(others).xreplace({var: t}), t, values[var])
            if paired is None:
                return None
            integral += paired
        integral = sp.N(integral, DIGITS)
        if not integral.is_number or abs(integral) > TOLERANCE:
            return True
    return False


def _pair(term, t, centre):
    """∫ term·φ(t) dt for φ(t) = exp(−(t − centre)²), ``term`` = c(t)·δ⁽ᵏ⁾(a·t + b) with a ≠ 0 free of t:
    (1/|a|)·(−1/a)ᵏ·(c·φ)⁽ᵏ⁾ at the root t = −b/a (the substitution s = a·t + b, then k integrations by parts).
    None for any other shape (then the mutation is not judged here)."""
    deltas = term.atoms(sp.DiracDelta)
    if len(deltas) != 1:
        return None
    delta = next(iter(deltas))
    coefficient = term.xreplace({delta: sp.S.One})
    if sp.expand(term - coefficient * delta) != 0 or coefficient.has(sp.DiracDelta):
        return None
    u, order = delta.args[0], (int(delta.args[1]) if len(delta.args) > 1 else 0)
    a = sp.diff(u, t)
    if a.has(t) or a == 0:
        return None
    root = -u.xreplace({t: sp.S.Zero}) / a
    h = coefficient * sp.exp(-(t - centre) ** 2)
    return (sp.diff(h, t, order) if order else h).xreplace({t: root}) * (-1 / a) ** order / abs(a)


def witnessed_wrong(d, original, mutation, seed: int = 0):
    """True: a point shows the mutation differs from the original; False: equal at every point; None: no point
    could be evaluated (the mutation is reported as unwitnessed)."""
    rng = random.Random("%s:%s:%s:%d" % (mutation.document, mutation.step_id, mutation.operator, seed))
    if mutation.sign:
        return compare(d, None, mutation.witness, rng, sign=True)
    a = original.expr if mutation.truth is None else mutation.truth
    b = mutation.witness if mutation.witness is not None else mutation.step.expr
    if isinstance(a, sp.MatrixBase) or isinstance(b, sp.MatrixBase):  # entry by entry (a Hessian, a Fisher matrix)
        if not (isinstance(a, sp.MatrixBase) and isinstance(b, sp.MatrixBase)) or a.shape != b.shape:
            return True
        verdicts = [compare(d, x, y, rng) if x != y else False for x, y in zip(a, b)]
        return True if True in verdicts else None if None in verdicts else False
    if isinstance(a, sp.MatrixExpr) or isinstance(b, sp.MatrixExpr):
        return _matrix(a, b)
    return compare(d, a, b, rng)


def _matrix(a, b):
    rng = random.Random(5)
    xs = sp.Matrix(3, 2, lambda r, c: sp.Rational(rng.randint(-9, 9), 4) + (1 if r == c else 0))
    ys = sp.Matrix(3, 1, lambda r, c: sp.Rational(rng.randint(-9, 9), 4))
    try:
        va, vb = _explicit(a, xs, ys), _explicit(b, xs, ys)
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    atoms = sorted((va.free_symbols | vb.free_symbols), key=sp.default_sort_key)
    values = {s: sp.Float(rng.uniform(0.3, 2.5), DIGITS) for s in atoms}
    va, vb = value(va, values), value(vb, values)
    if va is None:
        return None
    return True if vb is None else _differ(va, vb)


def _explicit(e, xs, ys):
    """A matrix formula in X and y made explicit (n = 3, d = 2), operation by operation."""
    if e == S.design:
        return xs
    if e == S.targets:
        return ys
    if isinstance(e, sp.Identity):
        return sp.eye(3 if e.shape[0] == S.n else 2)
    if isinstance(e, sp.Transpose):
        return _explicit(e.arg, xs, ys).T
    if isinstance(e, sp.Inverse):
        return _explicit(e.arg, xs, ys).inv()
    if isinstance(e, sp.MatMul):
        out = sp.S.One
        for a in e.args:
            out = out * (_explicit(a, xs, ys) if a.is_Matrix else a)
        return out
    if isinstance(e, sp.MatAdd):
        return sum((_explicit(a, xs, ys) for a in e.args[1:]), _explicit(e.args[0], xs, ys))
    raise TypeError(type(e).__name__)
