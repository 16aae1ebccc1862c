"""Which law is this density? A normalised density p(y | η) found by a loss verdict, matched against the families.

The search is numeric and the answer is a claim: each candidate (a family with a link) has its known parameters
(σ, b, τ, δ, γ) solved for by matching log-densities at a few points (mpmath's ``findroot``), the values are read as
exact numbers (``nsimplify``), and only then is the candidate returned — as a step the verifier proves equal to the
density, so a wrong match cannot pass.
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass

import mpmath
import sympy as sp

from .. import symbolic as S

#: (family, link) tried in this order: the laws a loss of y and η most often comes from
CANDIDATES = (("gaussian", "identity"), ("gaussian", "log"), ("laplace", "identity"), ("asymmetric-laplace", "identity"),
              ("huber", "identity"), ("cauchy", "identity"), ("bernoulli", "logit"), ("bernoulli", "probit"),
              ("poisson", "log"), ("exponential", "log"), ("gamma", "log"))

#: sample points (y, η) by support; a few more than the largest number of parameters solved for
POINTS = {
    "real": ((sp.Rational(-13, 10), sp.Rational(-2, 5)), (sp.Rational(1, 5), sp.Rational(3, 10)),
             (sp.Rational(7, 10), sp.Rational(-1, 10)), (sp.Rational(21, 10), sp.Rational(11, 10)),
             (sp.Rational(-1, 2), sp.Rational(7, 10))),
    "positive": ((sp.Rational(1, 2), sp.Rational(-2, 5)), (sp.Rational(17, 10), sp.Rational(3, 10)),
                 (3, sp.Rational(11, 10)), (sp.Rational(1, 5), sp.Rational(7, 10))),
    "unit": ((sp.Rational(1, 5), sp.Rational(-2, 5)), (sp.Rational(1, 2), sp.Rational(3, 10)),
             (sp.Rational(9, 10), sp.Rational(11, 10)), (sp.Rational(3, 10), sp.Rational(7, 10))),
    "binary": ((0, sp.Rational(-2, 5)), (1, sp.Rational(3, 10)), (0, sp.Rational(11, 10)), (1, sp.Rational(-7, 10))),
    "counts": ((0, sp.Rational(-2, 5)), (1, sp.Rational(3, 10)), (3, sp.Rational(11, 10)), (2, sp.Rational(-7, 10))),
}


@dataclass(frozen=True)
class Match:
    family: object
    link: object
    #: the family's parameters' exact values: symbol → number
    values: dict

    def density(self, y, eta):
        params = {p.name: self.values.get(p.symbol, p.symbol) for p in self.family.params}
        return self.family.density(y, self.link.inverse(eta), params)

    def describe(self) -> str:
        """"the Laplace law Laplace(η, b) with b = 1" — for the step's words ($…$ mathematics)."""
        law = self.family.notation.replace("μ", "η" if self.link.name == "identity" else "g⁻¹(η)")
        given = ", ".join("$%s = %s$" % (S.inline(k), S.inline(v)) for k, v in self.values.items())
        via = "" if self.link.name == "identity" else " with the %s link" % self.link.name
        return "the %s law $%s$%s%s" % (self.family.title, law, via, (", " + given) if given else "")


def _compatible(family, support: str) -> bool:
    if support in ("binary", "counts"):
        return family.discrete and (support == "counts" or sp.FiniteSet(0, 1).is_subset(family.support))
    if family.discrete:
        return False
    if support == "unit":
        return family.support == sp.Interval.open(0, 1)
    return family.support == (sp.S.Reals if support == "real" else sp.Interval.open(0, sp.oo)) \
        or (support == "positive" and sp.Interval.open(0, sp.oo).is_subset(family.support))


def _solve(residual, unknowns, domains):
    """Exact values of ``unknowns`` making every residual vanish, or None."""
    if not unknowns:
        return {} if all(abs(r([])) < mpmath.mpf(10) ** -20 for r in residual) else None
    starts = [[mpmath.mpf(s) for s in start] for start in itertools.product(
        *[(0.5, 0.25, 0.75) if d == sp.Interval.open(0, 1) else (1, 0.5, 2, 4) for d in domains])]
    for start in starts:
        try:
            root = mpmath.findroot(lambda *xs: [r(list(xs)) for r in residual[:len(unknowns)]], start)
        except (ValueError, ZeroDivisionError, OverflowError, TypeError):
            continue
        root = list(root) if isinstance(root, mpmath.matrix) else [root]
        if all(abs(r(root)) < mpmath.mpf(10) ** -18 for r in residual):
            values = {u: sp.nsimplify(sp.Float(x, 30), tolerance=1e-20, rational=False)
                      for u, x in zip(unknowns, root)}
            if all(v.is_real and v in d for v, d in zip(values.values(), domains)):
                return values
    return None


def _mpf(value):
    value = sp.Rational(value)
    return mpmath.mpf(value.p) / value.q


def identify(density, y, eta, support: str):
    """The first candidate law equal to ``density`` (a function of y and η) at every sample point, or None."""
    from ..families import FAMILIES
    from ..links import LINKS

    target = S.expand_functions(sp.log(density))
    for name, link_name in CANDIDATES:
        family, link = FAMILIES[name], LINKS[link_name]
        if not _compatible(family, support):
            continue
        known = [p for p in family.params if p.default == "known"]
        unknowns = [p.symbol for p in known]
        candidate = S.expand_functions(sp.log(family.density(y, link.inverse(eta), {p.name: p.symbol
                                                                                     for p in family.params})))
        gap = sp.lambdify(unknowns + [y, eta], target - candidate, modules=["mpmath"])
        residual = [(lambda xs, a=_mpf(a), b=_mpf(b): gap(*xs, a, b)) for a, b in POINTS[support]]
        with mpmath.workdps(30):
            try:
                values = _solve(residual, unknowns, [p.domain for p in known])
            except (ValueError, ZeroDivisionError, OverflowError, TypeError):
                values = None
        if values is not None:
            return Match(family, link, values)
    return None
