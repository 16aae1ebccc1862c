"""Is my loss a likelihood? The inverse question, for any loss ℓ(y, η).

A loss is the negative log-likelihood of a model of y (up to a positive factor and θ-free terms) exactly when, for
some scale c > 0, the density p(y | η) = h(y)·e^{−c·ℓ(y, η)}/Z_c(η) has a normaliser Z_c(η) = ∫ h(y)·e^{−c·ℓ} dy that
does not depend on η: then −log p = c·ℓ + log Z_c − log h(y), and minimising ℓ is maximising that likelihood. If
Z_c depends on η, −log p = c·ℓ + log Z_c(η): the loss minimised is not the one the model's likelihood asks for.

The steps: the normaliser; for a loss of y − η on all of ℝ, the shift u = y − η that takes η out of it (for every c);
else its closed form and its derivative in η; the closed form checked by quadrature; ∂Z/∂η = 0 proved, or two η where
Z differs; the density named when it is a known law (a step the verifier proves); the loop closed back to ℓ.
"""
from __future__ import annotations

from dataclasses import replace

import sympy as sp

from .. import symbolic as S
from ..budget import BudgetExceeded, time_budget
from ..documents import Argument, Result, Step
from ..errors import RecipeError
from ..expressions import parse_expression
from ..limits import limit
from ..prose import prose
from ..quadrature import quadrature
from ..relations import (
    Difference,
    Differentiation,
    Dropped,
    Equality,
    Integrated,
    Limit,
    Rescaling,
    Shift,
)
from .identify import identify
from .kinds import ArgumentKind, Option, number

eta = sp.Symbol("eta", real=True)
u = sp.Symbol("u", real=True)

#: support → (the outcome symbol, its set in words, an integral (False) or a sum (True), limits)
SUPPORTS = {
    "real": (sp.Symbol("y", real=True), "ℝ", False, (-sp.oo, sp.oo)),
    "positive": (sp.Symbol("y", positive=True), "(0, ∞)", False, (0, sp.oo)),
    "unit": (sp.Symbol("y", positive=True), "(0, 1)", False, (0, 1)),
    "binary": (sp.Symbol("y", integer=True, nonnegative=True), "{0, 1}", True, (0, 1)),
    "counts": (sp.Symbol("y", integer=True, nonnegative=True), "{0, 1, 2, …}", True, (0, sp.oo)),
}
INTEGRATION_BUDGET = 20.0


def _text(value):
    if not isinstance(value, str) or not value.strip():
        raise ValueError("must be an expression in quotes, e.g. \"(y - eta)**2\"")
    return value


def _support(value):
    if value not in SUPPORTS:
        raise ValueError("must be one of %s, got %r" % (", ".join(SUPPORTS), value))
    return value


def _positive(value):
    v = number(value)
    if v <= 0:
        raise ValueError("must be positive, got %s" % value)
    return v


def _parameters(value):
    if not isinstance(value, dict) or len(value) > 6:
        raise ValueError("must be a mapping of up to 6 names to numbers, e.g. {tau: 0.9}")
    out = {}
    for key, v in value.items():
        if not isinstance(key, str) or not key.isidentifier() or key in ("y", "eta"):
            raise ValueError("%r is not a name for a parameter (letters, not y or eta)" % (key,))
        out[key] = number(v)
    return out


def parse_loss(recipe):
    """(ℓ(y, η), h(y)) from the recipe's expressions: numbers put in for the parameters' names."""
    o = recipe.options
    y = SUPPORTS[o["support"]][0]
    numbers = {k: sp.Rational(v) for k, v in o["parameters"].items()}
    loss = parse_expression(o["loss"], {"y": y, "eta": eta, **numbers}, recipe.source, "loss")
    if not loss.has(eta):
        raise RecipeError(recipe.source, "loss", "the loss does not depend on eta, the prediction; write it in y and eta")
    base = parse_expression(o["base"], {"y": y, **numbers}, recipe.source, "base")
    return loss, base


def _closed_form(total):
    """SymPy's closed form of the normaliser, or None (not found within the budget, or not finite)."""
    body = S.expand_functions(total.function).rewrite(sp.Piecewise)
    try:
        with time_budget(INTEGRATION_BUDGET):
            if isinstance(total, sp.Sum):
                body, back = _powers(body, total.limits[0][0])
                value = sp.summation(body, total.limits[0]).xreplace(back)
            else:
                value = sp.integrate(body, total.limits[0], conds="none")
            value = sp.simplify(sp.piecewise_fold(value))
    except (BudgetExceeded, NotImplementedError, ValueError, TypeError):
        return None
    if value.has(sp.Integral, sp.Sum, sp.nan, sp.zoo) or value.has(sp.oo) or value.has(-sp.oo) \
            or (value.has(sp.Piecewise) and not total.limits[0][2].is_finite):
        return None
    return value


def _powers(body, var):
    """e^{a + k·y} written e^a·x^y with x = e^k a symbol of its own (SymPy sums x^y/y!, not e^{k·y}/y!)."""
    back = {}

    def split(e):
        arg = sp.expand(e.args[0])
        k = arg.coeff(var)
        if k == 0 or (arg - k * var).has(var) or k.has(var):
            return e
        x = sp.Dummy("x", positive=True)
        back[x] = sp.exp(k)
        return sp.exp(arg - k * var) * x ** var

    return body.replace(lambda e: isinstance(e, sp.exp) and e.has(var), split), back


def _breaks(expr, var):
    """Points where an integrand built from |·|, min, max or named check functions may have a kink."""
    out = set()
    written = S.expand_functions(expr)
    for a in written.atoms(sp.Abs, sp.sign):
        out |= set(_roots(a.args[0], var))
    for m in written.atoms(sp.Min, sp.Max):
        for p, q in zip(m.args, m.args[1:]):
            out |= set(_roots(p - q, var))
    return tuple(sorted(out, key=lambda e: float(sp.N(e))))


def _roots(expr, var):
    try:
        with time_budget(2.0):
            found = sp.solve(S.expand_functions(expr).rewrite(sp.Piecewise), var)
    except (BudgetExceeded, NotImplementedError, ValueError, TypeError):
        return []
    return [r for r in found if r.is_real and not r.free_symbols]


class LossVerdict(ArgumentKind):
    kind = "loss-verdict"
    summary = "is a loss ℓ(y, η) a negative log-likelihood? its normaliser over y, proved η-free or not"
    options = {
        "loss": Option("(y - eta)**2", "the loss in y and eta, in the recipe's expression language", _text),
        "support": Option("real", "the outcome's values: real, positive, unit, binary or counts", _support),
        "parameters": Option({}, "numbers the loss names, e.g. {tau: 0.9}", _parameters),
        "base": Option("1", "a base measure h(y) ≥ 0 of y alone (1/factorial(y) for counts)", _text),
        "c": Option(1, "the scale c > 0 in exp(−c·loss)", _positive),
    }

    def build(self, recipe):
        return verdict(recipe, *parse_loss(recipe))


class _Steps:
    """The steps as they are made, each referring to an earlier one by its handle (its position)."""

    def __init__(self):
        self.steps: list[Step] = []

    def add(self, *args, reference: int | None = None, **kw) -> int:
        self.steps.append(Step(*args, reference=None if reference is None else "step-%d" % reference, **kw))
        return len(self.steps)

    def expr(self, handle: int):
        return self.steps[handle - 1].expr


def verdict(recipe, loss, base) -> Argument:
    o = recipe.options
    y, where, discrete, (low, high) = SUPPORTS[o["support"]]
    c = sp.Rational(o["c"])
    weight = base * sp.exp(-c * loss)
    total = (sp.Sum if discrete else sp.Integral)(weight, (y, low, high))
    b = _Steps()
    b.add("The loss", "The loss of one observation, in its outcome $y ∈ %s$ and the prediction $η$." % where,
          "ℓ(y, η)", r"\ell(y, \eta)", loss, "definition")
    scale = "" if c == 1 else " (scale $c = %s$)" % S.inline(c)
    zdef = b.add("The normaliser it needs", "If $ℓ$ is a negative log-likelihood, the model is $p(y | η) = "
                 "h(y)·e^{−cℓ(y, η)}/Z_c(η)$%s%s, and its normaliser $Z_c(η)$ must not depend on $η$: else "
                 "$−log p = cℓ + log Z_c(η)$, and minimising $ℓ$ is not maximising the likelihood."
                 % (scale, "" if base == 1 else ", with the base measure $h(y) = %s$" % S.inline(base)),
                 "Z_c(η)", r"Z_c(\eta)", total, "definition")
    shifted = _shift(b, total, y, loss, base, discrete, zdef)
    value, free = _normaliser(b, total if shifted is None else b.expr(shifted), discrete, shifted or zdef,
                              shifted is not None)
    json = {"loss": str(loss), "support": o["support"], "c": float(c), "likelihood": free,
            "normaliser": None if value is None else str(value), "family": None}
    if not free:
        return _not_a_likelihood(recipe, b, loss, c, value, json)
    return _a_likelihood(recipe, b, loss, base, c, value, y, o["support"], json)


def _shift(b, total, y, loss, base, discrete, zdef):
    """For a loss of y − η on all of ℝ: Z_c = ∫ e^{−c·g(u)} du, free of η for every c (None if not of that form)."""
    if discrete or total.limits[0][1:] != (-sp.oo, sp.oo) or base != 1:
        return None
    moved = total.function.xreplace({y: u + eta})
    if moved.has(eta):
        moved = sp.expand(moved)
    if moved.has(eta):
        return None
    return b.add("Shift the variable", "The loss depends on $y$ and $η$ only through $y − η$: put $y = u + η$ "
                 "($dy = du$, the limits stay $±∞$). The integral no longer mentions $η$, whatever $c$ is.",
                 "Z_c(η)", r"Z_c(\eta)", sp.Integral(moved, (u, -sp.oo, sp.oo)), "shift",
                 payload=Shift(var=y, new=u, by=eta), reference=zdef)


def _normaliser(b, total, discrete, ref, shifted):
    """The closed form (checked by quadrature), then ∂Z/∂η: (the value or None, free of η)."""
    value = _closed_form(total)
    var = total.limits[0][0]
    breaks = _breaks(total.function, var) if not discrete else ()
    numeric = value is None and shifted
    if numeric:  # η-free already: its value by quadrature, and a proof that it is finite
        value = sp.Float(quadrature(total, {}, breaks), 15)
    if value is None:
        return (sp.oo if _diverges(b, total, discrete, ref) else None), False
    points = ({eta: sp.Rational(-1, 2)}, {eta: sp.Rational(3, 4)})
    words = ("No closed form was found: the integral by 30-digit quadrature, finite because $u^2$ times the integrand "
             "tends to 0 at $±∞$." if numeric else
             "%s over $%s$." % ("The sum" if discrete else "The integral", var))
    closed = b.add("Its value" if numeric else "In closed form", words, "Z_c(η)", r"Z_c(\eta)", value, "integrated",
                   payload=Integrated(points=points, breaks=breaks, numeric=numeric), reference=ref)
    slope = sp.diff(value, eta)
    try:
        with time_budget(5.0):
            slope = sp.simplify(slope)
    except BudgetExceeded:
        pass
    if slope == 0:
        b.add("Free of $η$", "The normaliser is a number, the same for every $η$: $∂Z_c/∂η = 0$.", "∂Z_c/∂η",
              r"\frac{\partial Z_c}{\partial \eta}", sp.S.Zero, "derivative",
              payload=Differentiation(wrt=eta), reference=ref if shifted else closed)
        return value, True
    one, two = _two_values(value)
    b.add("It depends on $η$", "At $η = %s$ and at $η = %s$ the normaliser takes two values: it is not free of $η$."
          % (S.inline(one), S.inline(two)), "Z_c(%s)" % S.inline(two), r"Z_c(%s)" % sp.latex(two),
          value.subs(eta, two), "differs", payload=Difference(other=value.subs(eta, one), value_of=value,
                                                               subs={eta: two}), reference=closed)
    return value, False


def _diverges(b, total, discrete, ref) -> bool:
    """An integral to ∞ whose integrand tends to a positive limit there is infinite: a step that says so, or False."""
    var, _, high = total.limits[0]
    if discrete or high != sp.oo:
        return False
    try:
        with time_budget(5.0):
            tail = sp.simplify(limit(total.function, var, sp.oo))
    except (BudgetExceeded, NotImplementedError, ValueError, TypeError):
        return False
    if not (tail.is_positive and tail.is_finite):
        return False
    b.add("It is infinite", "As $%s → ∞$ the integrand tends to a positive limit, the same for every $η$: the "
          "integral diverges, and $h(y)·e^{−cℓ}$ is no density of $y$." % var, "lim_{y→∞} h(y)·e^{−cℓ}",
          r"\lim_{y \to \infty} h(y)\,e^{-c\ell}", tail, "limit",
          payload=Limit(function=total.function, var=var, point=sp.oo), reference=ref)
    return True


def _two_values(value):
    """Two values of η where ``value`` is finite and differs (exact arithmetic, 40 digits; a removable singularity
    such as 0/0 at η = 0 is stepped over)."""
    tries = [sp.Integer(1), sp.Integer(2), sp.Integer(-1), sp.Rational(1, 2), sp.Integer(3)]
    finite = []
    for t in tries:
        v = sp.N(value.subs(eta, t), 40)
        if v.is_number and v.is_finite and not v.has(sp.nan):
            finite.append((t, v))
    for (one, a), (two, b) in zip(finite, finite[1:]):
        if abs(b - a) > 1e-20:
            return one, two
    return tries[0], tries[1]


def _a_likelihood(recipe, b, loss, base, c, value, y, support, json):
    density = base * sp.exp(-c * loss) / value
    dens = b.add("The density", "So $ℓ$ is the negative log-likelihood of this density of $y$ (up to the factor "
                 "$1/c$ and terms free of $η$).", "p(y | η)", r"p(y \mid \eta)", density, "definition")
    match = identify(density, y, eta, support)
    if match is None:
        b.steps[dens - 1] = replace(b.steps[dens - 1], notes=(prose(
            "No law in mlederive's table has this density: it is a law of its own."),))
    else:
        b.add("A known law", "It is %s." % match.describe(), "p(y | η)", r"p(y \mid \eta)",
              match.density(y, eta), "equal", reference=dens,
              payload=Equality(outcomes=(y, (0, 1)) if support == "binary" else None))
        json["family"] = match.family.name
        json["link"] = match.link.name
        json["parameters"] = {str(k): float(v) for k, v in match.values.items()}
    nll = -sp.log(base) + c * loss + sp.log(value)
    b.add("Its negative log-likelihood", "$−log p(y | η) = cℓ(y, η) + log Z_c − log h(y)$.", "−log p(y | η)",
          r"-\log p(y \mid \eta)", nll, "equal", payload=Equality(equals=-sp.log(density)), reference=dens)
    dropped = b.add("Drop the terms free of $η$", "$log Z_c$ is a number and $log h(y)$ does not involve $η$: "
                    "the same minimiser.", *(("ℓ(y, η)", r"\ell(y, \eta)") if c == 1 else ("c·ℓ(y, η)", r"c\,\ell(y, \eta)")),
                    c * loss, "constant-dropped",
                    payload=Dropped(theta=(eta,)))
    if c != 1:
        b.add("Divide by $c$", "A positive factor does not move the minimiser: the loss itself.", "ℓ(y, η)",
              r"\ell(y, \eta)", loss, "rescaled", payload=Rescaling(factor=1 / c, theta=(eta,)), reference=dropped)
    named = "" if match is None else ": %s" % match.describe()
    results = [Result("$ℓ$ is a negative log-likelihood%s" % named, "p(y | η)", r"p(y \mid \eta)", density),
               Result("… with a normaliser free of $η$", "Z_c", "Z_c", value)]
    return Argument(recipe, prose("$ℓ(y, η) = %s$, $y ∈ %s$: a likelihood" % (S.inline(loss), SUPPORTS[support][1])),
                    b.steps, results, json=json)


def _not_a_likelihood(recipe, b, loss, c, value, json):
    o = recipe.options
    if value == sp.oo:
        why = "its normaliser is infinite"
        results = [Result("$ℓ$ is no negative log-likelihood: $e^{−cℓ}$ does not normalise over $y$ (with $c = %s$)"
                          % S.inline(c), "Z_c(η)", r"Z_c(\eta)", sp.oo)]
        json["normaliser"] = "oo"
    elif value is None:
        why = ("no closed form of the normaliser was found (or it is infinite) for $c = %s$: mlederive cannot say "
               "that $ℓ$ is a likelihood" % S.inline(c))
        json["undecided"] = True
        results = []
    else:
        b.add("What $ℓ$ is instead", "The normalised model's negative log-likelihood is $cℓ + log Z_c(η)$: minimising "
              "$ℓ$ leaves out $log Z_c(η)$, which moves with $η$. $ℓ$ is a loss, not the negative log-likelihood of "
              "any density $∝ e^{−cℓ}$ with this $c$.", "−log p(y | η)", r"-\log p(y \mid \eta)",
              c * loss + sp.log(value), "definition")
        why = "its normaliser depends on $η$"
        results = [Result("$ℓ$ is not a negative log-likelihood (with $c = %s$)" % S.inline(c), "Z_c(η)",
                          r"Z_c(\eta)", value)]
    return Argument(recipe, prose("$ℓ(y, η) = %s$, $y ∈ %s$: %s" % (S.inline(loss), SUPPORTS[o["support"]][1], why)),
                    b.steps, results, json=json)
