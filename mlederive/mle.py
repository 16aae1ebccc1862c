"""Closed-form maximum-likelihood estimates for an i.i.d. sample (no predictor).

The log-likelihood of n observations is written with sample means of the
statistics the log-density needs (ȳ, the mean of y², …): each term of
log p(y; θ) is a θ-free statistic a(y) times a function b(θ), so
Σ_i a(y_i)·b(θ) = n·mean(a)·b(θ). The score is set to zero and solved by
SymPy; every result is checked, not trusted:

* the score is the derivative of the log-likelihood (recomputed);
* the estimate makes the score zero (proved symbolically);
* the second-order condition: the Hessian at the estimate is negative
  definite — proved symbolically when SymPy can decide the sign, otherwise
  checked at the sample's own values (and said so).
"""
from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field
from fractions import Fraction
from typing import NamedTuple

import sympy as sp

from .errors import MlederiveError
from .families import FAMILIES
from .links import LINKS
from .prose import Prose, prose
from .verification.prover import CLAIM_BUDGET, symbolic_zero

#: one observation y, the variable of the per-observation log-density and of each statistic
OBSERVATION = sp.Symbol("y", real=True)
_n = sp.Symbol("n", integer=True, positive=True)


@dataclass(frozen=True)
class Problem:
    """Which family, and how its parameters are called and constrained."""

    family: str
    params: tuple[sp.Symbol, ...]  # the mean first
    latex: tuple[str, ...]
    text: tuple[str, ...]
    notation: str  # the law, in our notation: "Bernoulli(p)", "Gamma(k, μ)"
    #: what the parameters mean, a prose template ("with shape $k$ known and mean $μ$"), or ""
    note: str = ""
    #: what the answer reports, per parameter: the parameter itself or its square (σ → σ²)
    report: tuple[str, ...] = ("value",)

    def statement(self):
        """y_i ∼ Gamma(k, μ) with shape k known and mean μ — as prose."""
        return prose("$y_i ∼ %s$" + (" " + self.note if self.note else ""), self.notation)

    def estimate_text(self) -> list[str]:
        """p̂, μ̂, σ̂²: what the answer reports, in unicode."""
        return [t + "\u0302" + ("²" if r == "square" else "") for t, r in zip(self.text, self.report)]


PROBLEMS = {
    "bernoulli": Problem("bernoulli", (sp.Symbol("p", positive=True),), ("p",), ("p",), "Bernoulli(p)"),
    "poisson": Problem("poisson", (sp.Symbol("lambda", positive=True),), (r"\lambda",), ("λ",), "Poisson(λ)"),
    "gaussian": Problem("gaussian", (sp.Symbol("mu", real=True), sp.Symbol("sigma", positive=True)),
                        (r"\mu", r"\sigma"), ("μ", "σ"), "N(μ, σ²)", report=("value", "square")),
    # mean μ = 1/rate: μ̂ = ȳ, so the rate's MLE is 1/ȳ (the MLE is invariant under reparametrisation)
    "exponential": Problem("exponential", (sp.Symbol("mu", positive=True),), (r"\mu",), ("μ",), "Exponential(μ)",
                           "with mean $μ$"),
    "geometric": Problem("geometric", (sp.Symbol("mu", positive=True),), (r"\mu",), ("μ",), "Geometric(μ)",
                         "with mean $μ$"),
    "gamma": Problem("gamma", (sp.Symbol("mu", positive=True),), (r"\mu",), ("μ",), "Gamma(k, μ)",
                     "with shape $k$ known and mean $μ$"),
}


class NoClosedForm(MlederiveError):
    pass


class BadData(MlederiveError):
    """An observation outside the family's support, or a parameter value the family cannot take."""


def support_text(region: sp.Set) -> str:
    """The support in words a student reads: {0, 1}; 0, 1, 2, …; y > 0; 0 < y < 1; any real y."""
    if isinstance(region, sp.FiniteSet):
        return "{%s}" % ", ".join(map(str, sorted(region.args)))
    if region == sp.S.Naturals0:
        return "the counts 0, 1, 2, …"
    if region == sp.S.Reals:
        return "any real y"
    if isinstance(region, sp.Interval):
        lo, hi = region.start, region.end
        if not hi.is_finite:
            return "y %s %s" % (">" if region.left_open else "≥", lo)
        left = "" if not lo.is_finite else "%s %s " % (lo, "<" if region.left_open else "≤")
        return left + "y %s %s" % ("<" if region.right_open else "≤", hi)
    return str(region)


def interval_text(region: sp.Set) -> str:
    """(0, ∞), (0, 1), [0, 1): how a parameter space is written."""
    if isinstance(region, sp.Interval):
        hi = "∞" if region.end == sp.oo else str(region.end)
        lo = "−∞" if region.start == -sp.oo else str(region.start)
        return "%s%s, %s%s" % ("(" if region.left_open else "[", lo, hi, ")" if region.right_open else "]")
    return "ℝ" if region == sp.S.Reals else str(region)


def check_data(family: str, data) -> None:
    """Every observation in the family's support: else BadData naming the first that is not."""
    fam = FAMILIES.get(family)
    if fam is None:
        return  # problem_for says which families there are
    for n, v in enumerate(data, start=1):
        if not math.isfinite(v):
            raise BadData("--data: observation %d (%s) is not a finite number" % (n, v))
        if fam.support.contains(sp.Rational(str(v))) is not sp.true:
            raise BadData("--data: observation %d (%s) is outside the %s family's support, %s"
                          % (n, _number(v), family, support_text(fam.support)))


def _number(v) -> str:
    return str(int(v)) if float(v).is_integer() else repr(float(v))


@dataclass
class Statistic:
    """A sample mean (1/n)·Σ_i a(y_i), shown as ``latex`` (and in unicode as ``text``: ȳ, ⟨y²⟩)."""

    symbol: sp.Symbol
    of: sp.Expr  # a(y)
    latex: str
    text: str = ""
    #: what it is in words, when it is not a sample mean (the median), or ""
    meaning: str = ""

    def value(self, data) -> sp.Rational:
        vals = [self.of.subs(OBSERVATION, sp.Rational(str(v))) for v in data]
        return sp.Add(*vals) / len(vals)


@dataclass
class MLECheck:
    what: Prose
    verified: bool
    method: str  # "symbolic" | "at the sample's values"


@dataclass
class MLEResult:
    problem: Problem
    data: list
    per_obs_latex: str  # (1/n) ℓ(θ) in statistics, θ-free terms dropped
    loglik: sp.Expr  # ℓ(θ)/n in statistics (θ-free terms dropped)
    statistics: list[Statistic]
    score: list[sp.Expr]
    estimate: dict  # parameter → expression in the statistics
    hessian: sp.Matrix  # at the estimate
    #: values given for known parameters (k, …): symbol → number
    known: dict = field(default_factory=dict)
    checks: list[MLECheck] = field(default_factory=list)
    #: why there is no interior maximum (the estimate on the edge of the parameter space), or None
    boundary: Prose | None = None

    @property
    def verified(self) -> bool:
        return all(c.verified for c in self.checks)

    def stat_values(self) -> dict:
        """Each statistic on the data (with the known parameters' values put in, when given)."""
        return {s.symbol: s.value(self.data).xreplace(self.known) for s in self.statistics}

    def values(self) -> list[tuple[str, sp.Rational]]:
        """(label, exact value) per reported quantity, evaluated on the data."""
        at = {**self.stat_values(), **self.known}
        out = []
        for p, latex, report in zip(self.problem.params, self.problem.latex, self.problem.report):
            if report == "square":  # σ̂² = ⟨y²⟩ − ȳ²: square before evaluating, so the value stays exact
                out.append((r"\hat{%s}^2" % latex, sp.expand(self.estimate[p] ** 2).xreplace(at)))
            else:
                out.append((r"\hat{%s}" % latex, self.estimate[p].xreplace(at)))
        return out


def _statistic_for(a: sp.Expr, stats: list[Statistic], positive: bool) -> sp.Symbol:
    for s in stats:
        if sp.simplify(s.of - a) == 0:
            return s.symbol
    index = len(stats)
    if a == OBSERVATION:
        # a sample of a non-negative law with a finite MLE has ȳ > 0
        sym, latex, text = sp.Symbol("ybar", **({"positive": True} if positive else {"real": True})), r"\bar{y}", "ȳ"
    elif a == OBSERVATION ** 2:
        sym, latex, text = sp.Symbol("ysqbar", nonnegative=True), r"\overline{y^2}", "⟨y²⟩"
    else:
        sym = sp.Symbol("t%d" % index, **({"positive": True} if positive else {"real": True}))
        latex, text = r"\overline{%s}" % sp.latex(a), "⟨%s⟩" % sp.sstr(a).replace("**", "^")
    stats.append(Statistic(sym, a, latex, text))
    return sym


def problem_for(family: str) -> Problem:
    """The table's problem, or the family's mean μ alone (nuisance parameters stay symbolic, known)."""
    if family in PROBLEMS:
        return PROBLEMS[family]
    fam = FAMILIES.get(family)
    if fam is None or fam.one_hot:
        from .errors import did_you_mean

        names = [f for f, v in FAMILIES.items() if not v.one_hot]
        raise NoClosedForm("no family %r.%s Families: %s" % (family, did_you_mean(family, names), ", ".join(names)))
    positive = fam.mean_domain.is_subset(sp.Interval(0, sp.oo))
    mu = sp.Symbol("mu", **({"positive": True} if positive else {"real": True}))
    return Problem(family, (mu,), (r"\mu",), ("μ",), fam.notation, fam.notation_note.replace("μ_i", "μ")
                   .replace("y_i", "y"))


def solve_mle(family: str, data, known: dict | None = None) -> MLEResult:
    """The closed-form MLE of ``family``'s parameters from ``data``, checked.

    ``known`` gives values of the family's known parameters (k of the gamma or Weibull, …) for the
    numbers on the data; without them the estimate is a formula in them.
    """
    prob = problem_for(family)
    check_data(family, data)
    fam = FAMILIES[family]
    params = {p.name: p.symbol for p in fam.params}
    for name, value in (known or {}).items():
        if name not in params:
            raise BadData("--param %s: %s has no parameter %r (it has: %s)" % (
                name, family, name, ", ".join(params) or "none"))
        if params[name].is_positive and not value > 0:
            raise BadData("--param %s=%s: %s must be positive" % (name, value, name))
    if family == "laplace":
        return _median(prob, list(data), params, known or {})
    per_obs, stats, score, estimate, hessian = solved_form(family)
    result = MLEResult(prob, list(data), sp.latex(per_obs), per_obs, list(stats), list(score), dict(estimate), hessian,
                       known={params[k]: sp.nsimplify(v) for k, v in (known or {}).items()})
    result.boundary = _on_boundary(result, fam)
    result.checks = _checks(result)
    return result


class Solved(NamedTuple):
    """What an MLE is before the data: ℓ/n in statistics, the statistics, the score, the estimate, the Hessian."""

    per_obs: sp.Expr
    stats: tuple
    score: tuple
    estimate: dict
    hessian: sp.Matrix


@functools.lru_cache(maxsize=None)
def solved_form(family: str) -> Solved:
    """The data-free part of an MLE: ℓ/n in statistics, the score, its solution and the Hessian there (an exam
    asks the same family for many samples; SymPy solves it once)."""
    prob = problem_for(family)
    fam = FAMILIES[family]
    params = {p.name: p.symbol for p in fam.params}
    if len(prob.params) > 1:
        params[fam.params[0].name] = prob.params[1]
    logp = fam.expanded_log_density(OBSERVATION, prob.params[0], LINKS["identity"], params)
    stats: list[Statistic] = []
    positive = bool(fam.support.is_subset(sp.Interval(0, sp.oo)))
    per_obs = sp.Integer(0)
    for term in sp.Add.make_args(sp.expand(logp)):
        a, b = term.as_independent(*prob.params, as_Add=False)
        if not b.has(*prob.params):
            continue  # θ-free: a constant of the log-likelihood
        if b.has(OBSERVATION):
            raise NoClosedForm("no closed form: log p(y; θ) of %s does not separate into a statistic of y times a "
                               "function of θ (the score must be solved numerically)" % family)
        coeff, stat = a.as_independent(OBSERVATION, as_Add=False)
        per_obs += coeff * b * (_statistic_for(stat, stats, positive) if stat != 1 else 1)
    score = [sp.diff(per_obs, p) for p in prob.params]
    from .budget import BudgetExceeded, time_budget

    try:
        with time_budget(5.0):
            solutions = sp.solve(score, list(prob.params), dict=True)
    except (NotImplementedError, BudgetExceeded):
        solutions = []
    # keep the root in the parameter's domain (σ > 0): drop any that SymPy can tell lies outside
    solutions = [s for s in solutions
                 if all(s[p].is_real is not False and (not p.is_positive or s[p].is_positive is not False)
                        for p in prob.params)]
    if not solutions:
        raise NoClosedForm("no closed form: SymPy finds no solution of the score equations of %s" % family)
    estimate = solutions[0]
    hessian = sp.hessian(per_obs, prob.params).xreplace(estimate)
    hessian = hessian.applyfunc(lambda e: sp.factor(sp.cancel(e)))
    symbols = [st.symbol for st in stats]
    return Solved(textbook(per_obs, prob.params, symbols), tuple(stats),
                  tuple(textbook(sc, prob.params, symbols) for sc in score), estimate, hessian)


def textbook(expr: sp.Expr, params, statistics) -> sp.Expr:
    """ℓ/n or a score the way a textbook writes it: terms gathered by what they say of the parameters (a log of
    them, a negative power) — ȳ·log p + (1 − ȳ)·log(1 − p), ȳ/p − (1 − ȳ)/(1 − p), not SymPy's expansion. The
    same expression regrouped; the checks below are made on it."""
    groups: dict = {}
    for term in sp.Add.make_args(sp.expand(expr)):
        key = sp.Mul(*[f for f in sp.Mul.make_args(term) if f.has(*params) and not f.has(*statistics)
                       and (f.is_Pow and f.exp.is_negative or isinstance(f, sp.Function))])
        groups.setdefault(key, []).append(term / key)
    return sp.Add(*[sp.factor_terms(sp.together(sp.Add(*rest))) * key for key, rest in groups.items()])


class MedianStatistic(Statistic):
    """The sample median ỹ: the middle value (the mean of the two middle ones when n is even)."""

    def value(self, data) -> sp.Rational:
        values = sorted(sp.Rational(str(v)) for v in data)
        middle = len(values) // 2
        return values[middle] if len(values) % 2 else (values[middle - 1] + values[middle]) / 2


def _median(prob: Problem, data: list, params: dict, known: dict) -> MLEResult:
    """The Laplace location: ℓ/n = −(1/(nb))·Σ_i |y_i − μ| (b known) is not differentiable at the observations, so
    the score equation becomes a subgradient condition — as many observations above μ as below — whose solution
    is the sample median. Checked exactly on the data: 0 is in the subgradient at the median, and ℓ there is at
    least ℓ at every observation (ℓ is concave and piecewise linear with its kinks at the observations, and
    tends to −∞ on both sides, so its maximum is at one of them: this proves the median a global maximum)."""
    mu, b = prob.params[0], params["b"]
    i, n = sp.Idx("i"), sp.Symbol("n", integer=True, positive=True)
    y_i = sp.Indexed(sp.IndexedBase("y", real=True), i)
    median = MedianStatistic(sp.Symbol("ymed", real=True), OBSERVATION, r"\tilde{y}", "ỹ", meaning="is the sample median (for an even n every value between the two middle observations is a maximum too)")
    loglik = -sp.Sum(sp.Abs(y_i - mu), (i, 1, n)) / (n * b)
    score = sp.Sum(sp.sign(y_i - mu), (i, 1, n)) / (n * b)
    result = MLEResult(prob, data, sp.latex(loglik), loglik, [median], [score], {mu: median.symbol}, sp.Matrix([[0]]),
                       known={params[k]: sp.nsimplify(v) for k, v in known.items()})
    result.checks = median_checks(result)
    return result


def median_checks(r: MLEResult) -> list[MLECheck]:
    """The stated estimate on the data, checked exactly: 0 in the subgradient there, and ℓ there at least ℓ at every
    observation."""
    (_, at), = r.values()
    ys = [sp.Rational(str(v)) for v in r.data]
    above, below, tied = (sum(bool(test(v)) for v in ys) for test in (lambda v: v > at, lambda v: v < at,
                                                                       lambda v: sp.Eq(v, at)))

    def ell(m):
        return -sum(abs(v - m) for v in ys)

    return [
        MLECheck(prose("$0$ is in the subgradient at the estimate: of the observations, $%s$ lie above it, $%s$ "
                       "below, $%s$ on it", sp.Integer(above), sp.Integer(below), sp.Integer(tied)),
                 abs(above - below) <= tied, "computed"),
        MLECheck(prose("the log-likelihood at the estimate is at least its value at every observation (its kinks): "
                       "a global maximum"), all(bool(ell(at) >= ell(v)) for v in ys), "computed"),
    ]


def _on_boundary(r: MLEResult, fam) -> str | None:
    """A sentence when an estimate lies on the edge of its parameter space (λ̂ = 0 from all-zero counts)."""
    for (label, value), p, text in zip(r.values(), r.problem.params, r.problem.estimate_text()):
        if p is not r.problem.params[0]:
            domain = sp.Interval.open(0, sp.oo)  # σ², a scale
        else:
            domain = fam.mean_domain
        if value.is_number and domain.contains(value) is sp.false:
            return prose("$%s = %s$ is on the boundary of the parameter space $%s$: the likelihood grows toward it and "
                         "has no maximum inside, so the second-order condition does not apply", text, value,
                         interval_text(domain))
    return None


def _checks(r: MLEResult) -> list[MLECheck]:
    checks = []
    recomputed = [sp.diff(r.loglik, p) for p in r.problem.params]
    checks.append(MLECheck(prose("the score is $∂ℓ/∂θ$"), all(symbolic_zero(a - b, CLAIM_BUDGET)[0]
                                                  for a, b in zip(recomputed, r.score)), "symbolic"))
    at_estimate = [s.xreplace(r.estimate) for s in recomputed]
    checks.append(MLECheck(prose("the estimate makes the score zero"),
                           all(symbolic_zero(e, CLAIM_BUDGET)[0] for e in at_estimate), "symbolic"))
    inside = _in_parameter_space(r)
    checks.append(MLECheck(prose("the estimate lies in the parameter space"), inside, "at the sample's values"))
    if r.boundary is not None or not inside:
        return checks  # no Hessian at the edge of the parameter space: the answer says why
    # the second-order condition at the estimate as stated (not at the solver's: a wrong σ̂ = −√… is caught here)
    hessian = sp.hessian(r.loglik, r.problem.params).xreplace(r.estimate).applyfunc(lambda e: sp.factor(sp.cancel(e)))
    if not all(symbolic_zero(sp.expand(a - b), CLAIM_BUDGET)[0] for a, b in zip(hessian, r.hessian)):
        checks.append(MLECheck(prose("the Hessian shown is the Hessian at the estimate"), False, "symbolic"))
        return checks
    minors = [hessian[:k, :k].det() for k in range(1, hessian.shape[0] + 1)]
    signs = [(-1) ** k * m for k, m in enumerate(minors, start=1)]  # negative definite: (-1)^k Δ_k > 0
    if all(s.is_positive for s in signs):
        checks.append(MLECheck(prose("the Hessian is negative definite at the estimate"), True, "symbolic"))
    else:
        at = {**r.stat_values(), **r.known}
        ok = all(sp.N(s.xreplace(at), 30) > 0 for s in signs)  # exact statistics: 30 digits decide the sign
        checks.append(MLECheck(prose("the Hessian is negative definite at the estimate"), bool(ok),
                               "at the sample's values"))
    return checks


def _in_parameter_space(r: MLEResult) -> bool:
    """Each estimate, evaluated exactly on the data, in its parameter's domain: the family's mean domain for the
    mean, (0, ∞) for a positive parameter such as σ (its square is what is reported, so a negative σ̂ would pass
    unseen otherwise)."""
    fam = FAMILIES[r.problem.family]
    at = {**r.stat_values(), **r.known}
    for p in r.problem.params:
        value = r.estimate[p].xreplace(at)
        if value.free_symbols:  # a formula in a known parameter: its sign from the assumptions
            if p.is_positive and value.is_positive is not True and value.is_nonnegative is not True:
                return False
            continue
        domain = fam.mean_domain if p is r.problem.params[0] else sp.Interval(0, sp.oo)
        if not value.is_real or sp.Interval(domain.inf, domain.sup).contains(value) is not sp.true:
            return False
    return True


def fraction_text(v: sp.Rational, digits: int = 4) -> str:
    """A number for students: exact when short (1/3 → 0.3333), rounded to ``digits`` decimals."""
    f = Fraction(int(v.p), int(v.q))
    text = ("%." + str(digits) + "f") % float(f)
    return text.rstrip("0").rstrip(".") if "." in text else text
