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


#: every WIDE_EVERY-th point of a model's domain is drawn from all of it: counts up to 10⁴, scales and
#: positive parameters from 10⁻³ to 10³, means within 10⁻⁶ of an edge of their domain
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

    def __init__(self, model, rng: random.Random):
        self.model, self.rng = model, rng
        self.fam, self.link = model.family, model.link
        self.calls = 0
        self._atoms: dict = {}

    @property
    def wide(self) -> bool:
        """Every WIDE_EVERY-th point is drawn from the whole domain, the others from its middle."""
        return self.calls % WIDE_EVERY == WIDE_EVERY - 1

    def scale(self) -> float:
        rng = self.rng
        return math.exp(rng.uniform(math.log(1e-3), math.log(1e3))) if self.wide else rng.uniform(0.5, 2.5)

    def mean_value(self):
        """A mean the family allows and the link can produce (e.g. in (0, 1) for poisson-probit)."""
        for _ in range(50):
            m = self.fam.sample_mean(self.rng, self.wide)
            if inside(self.link.mean_domain, m) and inside(self.fam.mean_domain, m):
                return sp.Float(m, 30)
        return sp.Float(self.rng.uniform(0.05, 0.95), 30)

    def y_value(self, atom, row_onehot):
        model, rng = self.model, self.rng
        if not model.vector:
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
                return sp.Float(rng.uniform(-2, 2), 30) if self.model.vector else sp.N(self.link(self.mean_value()), 30)
            if base == "mu":
                return self.mean_value()
            return sp.Float(rng.uniform(-1.5, 1.5), 30)  # x and anything else
        if isinstance(atom, GradF):
            return sp.Float(rng.uniform(-1.5, 1.5), 30)
        if atom == S.n:
            return sp.Integer(rng.randint(7, 1000) if wide else rng.randint(1, 6))
        if atom.is_positive:
            return sp.Float(self.scale(), 30)
        if atom.is_integer:
            return sp.Integer(rng.randint(6, 1000) if wide else rng.randint(0, 5))
        return sp.Float(rng.uniform(-1.5, 1.5), 30)

    def land_in_domain(self, values):
        """Unrolled linear predictor: choose x_j1 so that η_j = θ₁x_j1 + θ₂x_j2 is a valid η for the pair
        (inside any constraint such as η > 0), exactly as a sampled η_i would be."""
        t1, t2 = self.theta_1, self.theta_2
        if self.model.vector or self.model.predictor.name != "linear" or t1 not in values or t2 not in values:
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
        self.calls += 1
        return values


def model_sampler(model, rng: random.Random) -> ModelSampler:
    return ModelSampler(model, rng)


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
