"""Points of the model's domain at which the numeric check evaluates a claim.

Every free quantity of a claim gets a value: targets from the family's support, means from
the intersection of the family's and the link's mean domains (and η = g(μ) from them),
inputs and weights from a box, positive symbols from positive values. Without a model
(the articles' arguments), each symbol is sampled by its assumptions.
"""
from __future__ import annotations

import math
import random

import sympy as sp

from .. import symbolic as S
from ..predictors import GradF


class NotSampleable(ValueError):
    """A claim mentions a quantity no point of the model's domain gives a value (y_{i,k} with k not a number)."""


#: every WIDE_EVERY-th point of a model's domain is drawn from all of it: counts up to 10⁷, scales and
#: positive parameters from 10⁻⁶ to 10⁶, η heavy-tailed to ±10³, n and d to 10⁶, means within 10⁻⁶ of an edge
WIDE_EVERY = 3


def inside(region: sp.Set, value: float) -> bool:
    """``value ∈ region`` with float comparisons (SymPy's Set.contains is slow in a sampling loop)."""
    if region == sp.S.Reals:
        return True
    if isinstance(region, sp.Union):
        return any(inside(part, value) for part in region.args)
    if isinstance(region, sp.Interval):
        lo, hi = float(region.start), float(region.end)
        above = value > lo if region.left_open else value >= lo
        below = value < hi if region.right_open else value <= hi
        return above and below
    return bool(region.contains(value))


class ModelSampler:
    """Assign a value from the model's domain to every free quantity of an expression (one point per call)."""

    theta_1, theta_2 = sp.Symbol("theta_1", real=True), sp.Symbol("theta_2", real=True)

    def __init__(self, model, rng: random.Random, far: bool = True, link_free: bool = False):
        self.model, self.rng, self.far, self.link_free = model, rng, far, link_free
        self.fam, self.link = model.family, model.link
        self.calls = 0
        self._atoms: dict = {}
        #: base name → predicted parameter, for the predicted parameters beside the mean (their η and their values)
        self.others = {name: p for p in model.predicted[1:] for name in (p.eta.label.name, p.value.label.name)}
        if model.several:  # the mean's own η has a name of its own too (and its value, when it is not μ)
            first = model.predicted[0]
            self.others[first.eta.label.name] = first
            if first.value.label.name != "mu":
                self.others[first.value.label.name] = first

    @property
    def wide(self) -> bool:
        """Every WIDE_EVERY-th point is drawn from the whole domain, the others from its middle."""
        return self.far and self.calls % WIDE_EVERY == WIDE_EVERY - 1

    def scale(self) -> float:
        rng = self.rng
        return math.exp(rng.uniform(math.log(1e-6), math.log(1e6))) if self.wide else rng.uniform(0.5, 2.5)

    def mean_value(self):
        """A mean the family allows and the link can produce (e.g. in (0, 1) for poisson-probit); any the family
        allows for a claim about the family alone (``link_free``)."""
        for _ in range(50):
            m = self.fam.sample_mean(self.rng, self.wide)
            if (self.link_free or inside(self.link.mean_domain, m)) and inside(self.fam.mean_domain, m):
                return sp.Float(m, 30)
        return sp.Float(self.rng.uniform(0.05, 0.95), 30)

    def y_value(self, atom, row_onehot):
        model, rng = self.model, self.rng
        if not model.one_hot:
            v = self.fam.sample_y(rng, self.wide)
            return sp.Integer(int(v)) if self.fam.discrete else sp.Float(v, 30)
        row, column = atom.indices[0], atom.indices[1]
        if not column.is_Integer or not 1 <= int(column) <= model.classes:
            raise NotSampleable("%s has no value: its class index is not one of 1…%d" % (atom, model.classes))
        if row not in row_onehot:
            hot = rng.randrange(model.classes)
            row_onehot[row] = [1 if c == hot else 0 for c in range(model.classes)]
        return sp.Integer(row_onehot[row][int(column) - 1])

    def value_for(self, atom, row_onehot):
        rng, wide = self.rng, self.wide
        if isinstance(atom, sp.Indexed):
            base = atom.base.label.name
            if base == "y":
                return self.y_value(atom, row_onehot)
            if base == "eta":
                return sp.Float(rng.uniform(-2, 2), 30) if self.model.one_hot else sp.N(self.link(self.mean_value()), 30)
            if base == "mu":
                return self.mean_value()
            other = self.others.get(base)
            if other is not None:  # one of several predicted parameters: its value, or its η through its link
                value = S.sample_point(other.slot.mean_domain, rng, wide)
                return sp.N(other.link(sp.Float(value, 30)), 30) if base == other.eta.label.name else sp.Float(value, 30)
            return sp.Float(rng.uniform(-1.5, 1.5), 30)  # x and anything else
        if isinstance(atom, GradF):
            return sp.Float(rng.uniform(-1.5, 1.5), 30)
        if atom == S.K:  # a class count
            return sp.Integer(rng.randint(2, 8))
        if atom.is_integer:  # n, d: whole numbers, up to 10⁶ far out (a term Max(0, n − 1000) shows there)
            low = 1 if atom.is_positive else 0
            return sp.Integer(int(math.exp(rng.uniform(math.log(7), math.log(10 ** 6)))) if wide else
                              rng.randint(low, 6))
        if atom.is_positive:
            return sp.Float(self.scale(), 30)
        return sp.Float(rng.uniform(-1.5, 1.5), 30)

    def land_in_domain(self, values):
        """Unrolled linear predictor: choose x_j1 so that η_j = θ₁x_j1 + θ₂x_j2 is a valid η for the pair
        (inside any constraint such as η > 0), exactly as a sampled η_i would be."""
        t1, t2 = self.theta_1, self.theta_2
        if self.model.one_hot or self.model.predictor.name != "linear" or t1 not in values or t2 not in values:
            return values
        values[t1] = sp.Float(self.rng.choice((-1, 1)) * self.rng.uniform(0.5, 1.5), 30)
        for atom in [a for a in values if isinstance(a, sp.Indexed) and a.base == S.x and len(a.indices) == 2
                     and a.indices[1] == 1]:
            row = atom.indices[0]
            target = sp.N(self.link(self.mean_value()), 30)
            values[atom] = (target - values[t2] * values.get(S.x[row, 2], 0)) / values[t1]
        return values

    def atoms_of(self, expr):
        if expr not in self._atoms:  # the same claim is sampled at many points: find its atoms once
            atoms = list(expr.atoms(sp.Indexed)) + list(expr.atoms(GradF))
            atoms += [s for s in expr.free_symbols if not isinstance(s, (sp.Indexed, sp.IndexedBase, sp.Idx))
                      and not any(s in a.free_symbols for a in atoms)]
            self._atoms[expr] = sorted(atoms, key=sp.default_sort_key)
        return self._atoms[expr]

    def __call__(self, expr):
        onehot: dict = {}
        values = self.land_in_domain({a: self.value_for(a, onehot) for a in self.atoms_of(expr)})
        # a declared normaliser a(y_i, φ) has no value: each distinct call an independent positive one
        opaque = sorted((f for f in expr.atoms(sp.Function) if getattr(type(f), "opaque", False)),
                        key=sp.default_sort_key)
        values.update({f: sp.Float(self.rng.uniform(0.05, 2.5), 30) for f in opaque})
        self.calls += 1
        return values


def model_sampler(model, rng: random.Random, far: bool = True, link_free: bool = False) -> ModelSampler:
    """Points of the model's domain; ``far``: every WIDE_EVERY-th from the whole of it, else all from its middle;
    ``link_free``: means from the family's whole domain, for a claim in μ that no link restricts."""
    return ModelSampler(model, rng, far, link_free)


def plain_sampler(rng: random.Random):
    """Values for expressions without a model: by each symbol's assumptions (positive → (0.05, 2.5))."""

    def value_for(atom):
        ref = atom.base.label if isinstance(atom, sp.Indexed) else atom
        if ref.is_integer:
            return sp.Integer(rng.randint(1, 6))
        if ref.is_positive:
            return sp.Float(rng.uniform(0.05, 2.5), 30)
        return sp.Float(rng.uniform(-2.5, 2.5), 30)

    def sample(expr):
        # opaque functions (q_θ(k): "any model probability") get a value per distinct argument
        opaque = sorted((f for f in expr.atoms(sp.Function) if getattr(type(f), "opaque", False)),
                        key=sp.default_sort_key)
        values = {f: sp.Float(rng.uniform(0.05, 0.95), 30) for f in opaque}
        # and each derivative of one its own value: substituting the function's value first would make
        # the derivative of a number, 0, and hide every term that depends on θ through q_θ
        derivatives = sorted((dv for dv in expr.atoms(sp.Derivative)
                              if getattr(type(dv.expr), "opaque", False)), key=sp.default_sort_key)
        values.update({dv: sp.Float(rng.uniform(-1, 1), 30) for dv in derivatives})
        atoms = list(expr.atoms(sp.Indexed))
        atoms += [s for s in expr.free_symbols if not isinstance(s, (sp.Indexed, sp.IndexedBase, sp.Idx))
                  and not any(s in a.free_symbols for a in atoms)]
        # a fixed order, so the seeded points do not depend on the process's hash seed
        values.update({a: value_for(a) for a in sorted(atoms, key=sp.default_sort_key)})
        return values

    return sample


# -- where wrong terms hide -------------------------------------------------------------------------------

def _roots_of(h, v, values):
    """Where ``h`` vanishes in ``v`` with the other atoms at ``values``: the root of a linear h, as a float."""
    other = {k: val for k, val in values.items() if k != v}
    try:
        g = sp.expand(h.xreplace(other))
        if sp.diff(g, v, 2) != 0 or not sp.diff(g, v).is_number or sp.diff(g, v) == 0:
            return []
        root = -g.xreplace({v: 0}) / sp.diff(g, v)
        return [float(root)] if root.is_number and root.is_real else []
    except (TypeError, ValueError, ZeroDivisionError, OverflowError):
        return []


def hints(expr) -> list:
    """The expressions whose zero is where a wrong term hides: the thresholds of max, min, steps, signs, |·| and
    piecewise conditions, the centre of an exponential of a square, the branch point of a log or a root."""
    out = []
    for e in sp.preorder_traversal(expr):
        if isinstance(e, (sp.Max, sp.Min)):
            out += [a - b for a in e.args for b in e.args if a is not b]
        elif isinstance(e, (sp.Heaviside, sp.sign, sp.Abs)):
            out.append(e.args[0])
        elif isinstance(e, sp.Piecewise):
            out += [c.lhs - c.rhs for _, c in e.args if isinstance(c, sp.core.relational.Relational)]
        elif isinstance(e, sp.log):
            out.append(e.args[0])
        elif e.is_Pow and e.exp.is_number and not e.exp.is_integer:
            out.append(e.base)
        elif isinstance(e, sp.exp):
            out += [p.base for p in e.args[0].atoms(sp.Pow) if p.exp == 2]
    return out


#: at most this many (hint, variable) pairs are tried, and this many points come back
TARGET_PAIRS, TARGET_POINTS = 24, 32


def targeted(expr, base: dict, rng, fits) -> list:
    """Points near where ``expr`` may hide a wrong term — each hint's zero in one of its variables, approached from
    both sides and passed, and each large constant of the claim (10⁵ in max(0, y − 10⁵)) met — from ``base``.
    ``fits(atom, value)`` keeps a value inside the atom's domain (and rounds a count).

    Every distinct hint gets its turn before any gets a second variable (a log's argument named three times once
    used up the pairs before the centre of exp(−10⁶(η − 0.7)²) was reached), and the zeros themselves come first:
    only the points around them are cut when there are too many."""
    distinct = list(dict.fromkeys(hints(expr)))
    per_hint = [[(h, v) for v in sorted(h.free_symbols & set(base) | h.atoms(sp.Indexed) & set(base),
                                        key=sp.default_sort_key)] for h in distinct]
    candidates = [pair for turn in range(max(map(len, per_hint), default=0)) for pairs in per_hint
                  if turn < len(pairs) for pair in [pairs[turn]]]
    zeros, around = [], []
    for h, v in candidates[:TARGET_PAIRS]:
        for root in _roots_of(h, v, base):
            value = fits(v, root)
            if value is not None:
                zeros.append({**base, v: value})
            for step in (1e-3, 1.0, 10.0):
                for side in (1, -1):
                    value = fits(v, root + side * step * (1 + abs(root)))
                    if value is not None:
                        around.append({**base, v: value})
    constants = sorted({abs(float(c)) for c in expr.atoms(sp.Number) if c.is_real and 10 < abs(float(c)) < 1e12})
    for c in constants[:4]:
        for v in sorted(base, key=sp.default_sort_key)[:8]:
            for value in (c * (1 + 1e-3), 2 * c, -2 * c):
                kept = fits(v, value)
                if kept is not None:
                    around.append({**base, v: kept})
    rng.shuffle(around)
    return (zeros + around)[:TARGET_POINTS]


def domain_fit(model):
    """``fits(atom, value)`` for :func:`targeted`: the value inside the atom's domain (a count rounded, a binary
    outcome left alone), or None; only targets, counts, means, η, sizes and positive parameters are moved."""
    from ..pairing import eta_region

    regions = {}
    if model is not None:
        fam, link = model.family, model.link
        regions = {"y": fam.support, "mu": fam.mean_domain.intersect(link.mean_domain),
                   "eta": (eta_region(link, fam) if not model.one_hot else None) or link.eta_domain}
        for p in model.predicted if model.several else ():
            regions[p.eta.label.name] = eta_region(p.link, p.slot) or p.link.eta_domain
            regions[p.value.label.name] = p.slot.mean_domain.intersect(p.link.mean_domain)

    def fits(atom, value):
        if not math.isfinite(value):
            return None
        if isinstance(atom, sp.Indexed):
            region = regions.get(atom.base.label.name)
            if region is None or isinstance(region, sp.FiniteSet):
                return None
            if region.is_subset(sp.S.Naturals0):
                value = float(max(round(value), 0))
            return sp.Float(value, 30) if inside(region, value) else None
        if getattr(atom, "is_integer", False):
            if atom == S.K:
                return None
            whole = round(value)
            return sp.Integer(whole) if whole >= (1 if atom.is_positive else 0) else None
        if getattr(atom, "is_positive", False):
            return sp.Float(value, 30) if value > 0 else None
        return None

    return fits
