"""Points of the model's domain at which the numeric check evaluates a claim.

Every free quantity of a claim gets a value: targets from the family's support, means from
the intersection of the family's and the link's mean domains (and η = g(μ) from them),
inputs and weights from a box, positive symbols from positive values. Without a model
(the articles' arguments), each symbol is sampled by its assumptions.
"""
from __future__ import annotations

import random

import sympy as sp

from .. import symbolic as S
from ..predictors import GradF


class NotSampleable(ValueError):
    """A claim mentions a quantity no point of the model's domain gives a value (y_{i,k} with k not a number)."""


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


def model_sampler(model, rng: random.Random):
    """Assign a value from the model's domain to every free quantity of an expression."""
    fam, link = model.family, model.link

    def mean_value():
        """A mean the family allows and the link can produce (e.g. in (0, 1) for poisson-probit)."""
        for _ in range(50):
            m = fam.sample_mean(rng)
            if inside(link.mean_domain, m) and inside(fam.mean_domain, m):
                return sp.Float(m, 30)
        return sp.Float(rng.uniform(0.05, 0.95), 30)

    def value_for(atom, row_onehot):
        if isinstance(atom, sp.Indexed):
            base = atom.base.label.name
            if base == "y":
                if model.vector:
                    row, column = atom.indices[0], atom.indices[1]
                    if not column.is_Integer or not 1 <= int(column) <= model.classes:
                        raise NotSampleable("%s has no value: its class index is not one of 1…%d"
                                            % (atom, model.classes))
                    if row not in row_onehot:
                        hot = rng.randrange(model.classes)
                        row_onehot[row] = [1 if c == hot else 0 for c in range(model.classes)]
                    return sp.Integer(row_onehot[row][int(column) - 1])
                v = fam.sample_y(rng)
                return sp.Integer(int(v)) if fam.discrete else sp.Float(v, 30)
            if base == "eta":
                if model.vector:
                    return sp.Float(rng.uniform(-2, 2), 30)
                return sp.N(link(mean_value()), 30)
            if base == "mu":
                return mean_value()
            return sp.Float(rng.uniform(-1.5, 1.5), 30)  # x and anything else
        if isinstance(atom, GradF):
            return sp.Float(rng.uniform(-1.5, 1.5), 30)
        if atom == S.n:
            return sp.Integer(rng.randint(1, 6))
        if atom.is_positive:
            return sp.Float(rng.uniform(0.5, 2.5), 30)
        if atom.is_integer:
            return sp.Integer(rng.randint(0, 5))
        return sp.Float(rng.uniform(-1.5, 1.5), 30)

    theta_1, theta_2 = sp.Symbol("theta_1", real=True), sp.Symbol("theta_2", real=True)

    def land_in_domain(values):
        """Unrolled linear predictor: choose x_j1 so that η_j = θ₁x_j1 + θ₂x_j2 is a valid η for the pair
        (inside any constraint such as η > 0), exactly as a sampled η_i would be."""
        if model.vector or model.predictor.name != "linear" or theta_1 not in values or theta_2 not in values:
            return values
        values[theta_1] = sp.Float(rng.choice((-1, 1)) * rng.uniform(0.5, 1.5), 30)
        for atom in [a for a in values if isinstance(a, sp.Indexed) and a.base == S.x and len(a.indices) == 2
                     and a.indices[1] == 1]:
            row = atom.indices[0]
            target = sp.N(link(mean_value()), 30)
            values[atom] = (target - values[theta_2] * values.get(S.x[row, 2], 0)) / values[theta_1]
        return values

    atom_cache: dict = {}

    def atoms_of(expr):
        if expr not in atom_cache:  # the same claim is sampled at many points: find its atoms once
            atoms = list(expr.atoms(sp.Indexed)) + list(expr.atoms(GradF))
            atoms += [s for s in expr.free_symbols if not isinstance(s, (sp.Indexed, sp.IndexedBase, sp.Idx))
                      and not any(s in a.free_symbols for a in atoms)]
            atom_cache[expr] = sorted(atoms, key=sp.default_sort_key)
        return atom_cache[expr]

    def sample(expr):
        onehot: dict = {}
        return land_in_domain({a: value_for(a, onehot) for a in atoms_of(expr)})

    return sample


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
