"""The optimal constant margin: the maximum-likelihood estimate of an intercept-only model, η̂ = g(μ̂).

A constant η makes every μ_i the same μ, so η̂ = g(μ̂) with μ̂ the family's own MLE of its mean from the
(weighted) sample — a closed form where :mod:`mlederive.mle` solves the score (ȳ for every
exponential-dispersion family, the mean of log y for the log-normal, (mean of y^k)^(1/k) for the Weibull),
the weighted median for the Laplace (the minimiser of Σ w_i |y_i − μ| whatever the monotone link), and
the root of Σ w_i ∂ℓ/∂η = 0 by bracketing and bisection where there is no closed form (Student-t, beta, custom densities).
"""
from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from ..mle import OBSERVATION, NoClosedForm, problem_for, solved_form

CLOSED, MEDIAN, NEWTON = "closed form", "weighted median", "Newton"


@dataclass(frozen=True)
class Intercept:
    kind: str
    #: the mean's symbol μ, and η̂ = g(μ) in it
    mu: sp.Symbol
    margin: sp.Expr
    #: closed form: μ̂ in the statistics, and each statistic's symbol with the a(y) it averages
    estimate: sp.Expr | None = None
    statistics: tuple = ()
    #: the observation symbol a(y) is written in
    y: sp.Symbol | None = None
    #: what μ is: "the mean" in an exponential-dispersion family, else "μ" (the Weibull's scale, the log-normal's
    #: mean of log y)
    what: str = "the mean"

    def words(self) -> str:
        if self.kind == CLOSED:
            return "g(μ̂), μ̂ the closed-form maximum-likelihood estimate of %s from the weighted sample" % self.what
        if self.kind == MEDIAN:
            return "g(weighted median of y), the minimiser of Σ wᵢ|yᵢ − μ| for any increasing or decreasing link"
        return ("no closed form: the root of Σ wᵢ·∂ℓ/∂η = 0, bracketed from g(weighted mean of y) and bisected to "
                "machine precision")


def intercept(model) -> Intercept:
    fam = model.family
    positive = fam.mean_domain.is_subset(sp.Interval.open(0, sp.oo))
    mu = sp.Symbol("mu", positive=True) if positive else sp.Symbol("mu", real=True)
    margin = model.link(mu)
    if fam.name == "laplace":
        return Intercept(MEDIAN, mu, margin)
    try:
        prob = problem_for(fam.name)
        solved = solved_form(fam.name)
    except (NoClosedForm, KeyError):
        return Intercept(NEWTON, mu, margin)

    estimate = solved.estimate[prob.params[0]]
    stats = tuple((s.symbol, s.of) for s in solved.stats)
    what = "the mean" if fam.variance(mu, model.params) is not None else "μ"
    return Intercept(CLOSED, mu, margin, estimate, stats, OBSERVATION, what)
