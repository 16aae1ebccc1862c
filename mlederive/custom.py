"""User-defined families and links, from recipe text through the safe parser.

A recipe may give, instead of a family name, a mapping with the density (or
pmf) as an expression in ``y``, the mean ``mu`` and declared nuisance
parameters, with the support and the mean domain chosen from a short list; and
instead of a link name, a mapping with g(μ) and g⁻¹(η). Expressions go through
:func:`mlederive.expressions.parse_expression` only. The resulting classes are
ordinary :class:`~mlederive.families.Family` / :class:`~mlederive.links.Link`
objects, so the pipeline and the verifier treat them like the built-in ones —
including the check that g and g⁻¹ are inverse to each other. A density that
does not integrate (or sum) to one is flagged: symbolically where SymPy
manages within a time budget, else numerically with mpmath.
"""
from __future__ import annotations

import random
import re

import mpmath
import sympy as sp

from . import symbolic as S
from .errors import RecipeError
from .expressions import FUNCTIONS, parse_expression
from .families import Family, Param
from .links import Link
from .prose import prose

SUPPORTS = {
    "real": (sp.S.Reals, {"real": True}, False),
    "positive": (sp.Interval.open(0, sp.oo), {"positive": True}, False),
    "unit": (sp.Interval.open(0, 1), {"positive": True}, False),
    "counts": (sp.S.Naturals0, {"integer": True, "nonnegative": True}, True),
    "binary": (sp.FiniteSet(0, 1), {"integer": True, "nonnegative": True}, True),
    "angle": (sp.Interval(-sp.pi, sp.pi), {"real": True}, False),
}
#: what a custom parameter may be: known and positive (the default), or known in an interval
PARAMETER_DOMAINS = {
    "known": (sp.Interval.open(0, sp.oo), {"positive": True}),
    "known in (0, 1)": (sp.Interval.open(0, 1), {"positive": True}),
    "known real": (sp.S.Reals, {"real": True}),
}
MEAN_DOMAINS = {
    "real": (sp.S.Reals, {"real": True}),
    "positive": (sp.Interval.open(0, sp.oo), {"positive": True}),
    "unit": (sp.Interval.open(0, 1), {"positive": True}),
}
FAMILY_KEYS = ("name", "title", "density", "support", "mean_domain", "parameters", "normaliser")
NORMALISER_KEYS = ("name", "of", "why")
LINK_KEYS = ("name", "g", "inverse", "range")
_NAME = re.compile(r"[a-z][a-z0-9]*(-[a-z0-9]+)*")
_PARAM = re.compile(r"[a-z][a-z0-9_]{0,15}")


def _choice(source, field, value, options):
    if value not in options:
        raise RecipeError(source, field, "must be one of %s, got %r." % (", ".join(options), value))
    return value


def _checked_spec(spec, allowed, required, source, field) -> str:
    """Keys known, required ones present, name well-formed; returns the name."""
    if not isinstance(spec, dict):
        raise RecipeError(source, field, "must be a name or a mapping with %s." % ", ".join(allowed))
    for key in spec:
        if key not in allowed:
            raise RecipeError(source, "%s.%s" % (field, key), "unknown field; allowed: %s." % ", ".join(allowed))
    for key in required:
        if key not in spec:
            raise RecipeError(source, "%s.%s" % (field, key), "missing; a custom %s needs %s and %s."
                              % (field, ", ".join(required[:-1]), required[-1]))
    name = spec["name"]
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise RecipeError(source, "%s.name" % field, "must be lowercase words joined by '-', got %r." % (name,))
    return name


class CustomFamily(Family):
    """A family whose density came from a recipe (placeholders y, mu and parameters, substituted on use)."""

    def __init__(self, name, title, density, y, mu, params, support, mean_domain, discrete, domains=None):
        self.name, self.title = name, title
        self.notation = "p(μ)"
        self._density, self._y, self._mu = density, y, mu
        domains = domains or {}
        self.params = tuple(Param(p.name, p, "user-declared parameter", domain=domains.get(p, sp.Interval.open(0, sp.oo)))
                            for p in params)
        self.support, self.mean_domain, self.discrete = support, mean_domain, discrete
        self.canonical_link = None
        self.natural_link = "identity" if mean_domain == sp.S.Reals else "log" \
            if mean_domain == sp.Interval.open(0, sp.oo) else "logit"

    def statement(self, predicted: tuple = ()):
        """The recipe's own title is text: y_i | x_i ∼ p(μ_i), the Rayleigh density (p(μ_i, σ_i) with σ predicted)."""
        given = ", ".join(["μ_i"] + ["%s_i" % S.inline(s) for s in predicted if s.name != "mu"])
        return prose("$y_i | x_i ∼ p(%s)$, the %s density of the recipe" % (given, "%s"), self.title)

    def density(self, y, mu, params):
        subs = {self._y: y, self._mu: mu}
        subs.update({p.symbol: params[p.name] for p in self.params})
        return self._density.xreplace(subs)


class CustomLink(Link):
    def __init__(self, name, g, inverse, mu, eta, mean_domain, inverse_range):
        self.name, self.title = name, "%s link" % name
        self._g, self._inverse, self._mu, self._eta = g, inverse, mu, eta
        self.mean_domain, self.inverse_range = mean_domain, inverse_range

    def __call__(self, mu):
        return self._g.xreplace({self._mu: mu})

    def inverse(self, eta):
        return self._inverse.xreplace({self._eta: eta})


def custom_family(spec, source: str) -> CustomFamily:
    name = _checked_spec(spec, FAMILY_KEYS, ("name", "density"), source, "family")
    support_name = _choice(source, "family.support", spec.get("support", "real"), SUPPORTS)
    mean_name = _choice(source, "family.mean_domain", spec.get("mean_domain", "real"), MEAN_DOMAINS)
    support, y_assumptions, discrete = SUPPORTS[support_name]
    mean_domain, mu_assumptions = MEAN_DOMAINS[mean_name]
    params = spec.get("parameters", {}) or {}
    if not isinstance(params, dict) or len(params) > 4:
        raise RecipeError(source, "family.parameters", "must map up to 4 parameter names to 'known'.")
    symbols, domains = [], {}
    for pname, state in params.items():
        if not isinstance(pname, str) or not _PARAM.fullmatch(pname) or pname in ("y", "mu", "pi", "E"):
            raise RecipeError(source, "family.parameters", "%r is not a usable parameter name." % (pname,))
        if state not in PARAMETER_DOMAINS:
            raise RecipeError(source, "family.parameters.%s" % pname,
                              "custom parameters are known (fixed) constants: %s; got %r."
                              % (", ".join(repr(k) for k in PARAMETER_DOMAINS), state))
        domain, assumptions = PARAMETER_DOMAINS[state]
        symbols.append(sp.Symbol(pname, **assumptions))
        domains[symbols[-1]] = domain
    y = sp.Symbol("y", **y_assumptions)
    mu = sp.Symbol("mu", **mu_assumptions)
    names = {"y": y, "mu": mu, **{s.name: s for s in symbols}}
    declared = _declared(spec.get("normaliser"), names, source)
    functions = {} if declared is None else {declared.__name__: (declared, len(spec["normaliser"]["of"]))}
    density = parse_expression(spec["density"], names, source, "family.density", functions)
    if not density.has(mu):
        raise RecipeError(source, "family.density", "the density must depend on the mean mu.")
    if declared is not None:
        _declared_calls(density, declared, names, spec["normaliser"]["of"], source)
    title = spec.get("title", name.replace("-", " ").title())
    if not isinstance(title, str) or len(title) > 60:
        raise RecipeError(source, "family.title", "must be a short string.")
    return CustomFamily(name, title, density, y, mu, symbols, support, mean_domain, discrete, domains)


def _declared(spec, names: dict, source: str):
    """The density's declared normaliser class from ``normaliser: {name: a, of: [y, phi], why: …}``, or None."""
    from .special import declared_normaliser

    if spec is None:
        return None
    field = "family.normaliser"
    if not isinstance(spec, dict) or set(spec) - set(NORMALISER_KEYS) or "name" not in spec or "of" not in spec:
        raise RecipeError(source, field, "must be a mapping with name, of (the arguments, from y and the known "
                                         "parameters) and why, e.g. {name: a, of: [y, phi], why: 'a series'}.")
    name, of, why = spec["name"], spec["of"], spec.get("why", "")
    if not isinstance(name, str) or not _PARAM.fullmatch(name) or name in names or name in FUNCTIONS:
        raise RecipeError(source, field + ".name", "must be a new short name (not y, mu, a parameter or a function), "
                                                   "got %r." % (name,))
    if not isinstance(of, list) or not of or len(of) > 4 or any(a not in names for a in of):
        raise RecipeError(source, field + ".of", "must list its arguments from %s, got %r."
                          % (", ".join(n for n in names if n != "mu"), of))
    if "mu" in of:
        raise RecipeError(source, field + ".of", "a declared normaliser is free of the mean mu (so of θ); one that "
                                                 "depends on mu must be written out in the density.")
    if not isinstance(why, str) or len(why) > 200:
        raise RecipeError(source, field + ".why", "must be a short sentence saying why it is free of mu.")
    return declared_normaliser(name, len(of), why)


def _declared_calls(density, declared, names, of, source):
    """Every call of the declared normaliser has exactly its declared arguments (a(y, phi), not a(mu, phi))."""
    expected = tuple(names[a] for a in of)
    for call in density.atoms(declared):
        if call.args != expected:
            raise RecipeError(source, "family.density", "%s is declared of (%s); it is called with (%s)."
                              % (declared.__name__, ", ".join(of), ", ".join(map(str, call.args))))


def custom_link(spec, source: str) -> CustomLink:
    name = _checked_spec(spec, LINK_KEYS, ("name", "g", "inverse"), source, "link")
    range_name = _choice(source, "link.range", spec.get("range", "real"), MEAN_DOMAINS)
    inverse_range, mu_assumptions = MEAN_DOMAINS[range_name]
    mu, eta = sp.Symbol("mu", **mu_assumptions), sp.Symbol("eta", real=True)
    g = parse_expression(spec["g"], {"mu": mu}, source, "link.g")
    inverse = parse_expression(spec["inverse"], {"eta": eta}, source, "link.inverse")
    # g(g⁻¹(η)) = η at a few points: catch a mistyped pair now, with the field named (the verifier proves it later)
    rng = random.Random(0)
    for _ in range(5):
        e = rng.uniform(-2, 2)
        try:
            m = complex(sp.N(inverse.subs(eta, e), 20))
            back = complex(sp.N(g.subs(mu, m.real), 20)) if abs(m.imag) < 1e-12 else None
        except (TypeError, ValueError, ZeroDivisionError):
            back = None
        if back is None or abs(back - e) > 1e-8 * (1 + abs(e)):
            raise RecipeError(source, "link.inverse", "g(inverse(η)) ≠ η at η = %.3g; give g and its inverse." % e)
    return CustomLink(name, g, inverse, mu, eta, inverse_range, inverse_range)


def normalisation_warning(family: CustomFamily, budget: float = 3.0) -> str | None:
    """None when the density integrates (sums) to 1 over the support; else a warning saying what was found."""
    from .budget import BudgetExceeded, time_budget

    from .special import DeclaredNormaliser

    y = family._y
    params = {p.name: p.symbol for p in family.params}
    dens = family.density(y, family._mu, params)
    declared = sorted(dens.atoms(DeclaredNormaliser), key=sp.default_sort_key)
    if declared:
        return prose("the %s density's factor $%s$ is declared, not written out, so whether the density integrates "
                     "to 1 is not checked: the loss is its negative log-likelihood only if $%s$ is the right "
                     "normaliser.", family.name, declared[0], declared[0])
    support = family.support
    try:
        with time_budget(budget):
            if support == sp.FiniteSet(0, 1):
                total = dens.subs(y, 0) + dens.subs(y, 1)
            elif family.discrete:
                total = sp.summation(dens, (y, 0, sp.oo))
            else:
                total = sp.integrate(dens, (y, support.inf, support.sup))
            if not total.has(sp.Integral, sp.Sum) and sp.simplify(total - 1) == 0:
                return None
            if total in (sp.oo, -sp.oo, sp.zoo):
                return _diverges(family)
    except (BudgetExceeded, NotImplementedError, ValueError, TypeError):
        pass
    rng = random.Random(1)
    for _ in range(3):
        # each parameter inside its domain (τ ∈ (0, 1): a τ of 1.5 makes a correct asymmetric Laplace diverge)
        point = {family._mu: family.sample_mean(rng),
                 **{p.symbol: _inside(p.domain, rng) for p in family.params}}
        f = sp.lambdify(y, S.expand_functions(dens.subs(point)), "mpmath")
        if support == sp.FiniteSet(0, 1):
            total = f(0) + f(1)
        elif family.discrete:
            total = mpmath.nsum(f, [0, mpmath.inf])
        else:
            total = _integral(f, support, float(point[family._mu]))
        value = complex(total)
        if not (abs(value) < 1e6 and mpmath.isfinite(value.real)) or _grows(f, support, family.discrete):
            return _diverges(family)
        if abs(value - 1) > 1e-6:
            return prose("the %s density does not integrate to 1 over its support (it gives $%s$ at $μ = %s$): the "
                         "loss may be off by a $μ$-dependent term", family.name, "%.6g" % value.real,
                         "%.3g" % point[family._mu])
    return None


def _inside(domain, rng) -> float:
    """A value well inside a parameter's domain: (0, 1) → 0.2 … 0.8, (0, ∞) → 0.5 … 2, ℝ → −2 … 2."""
    if domain == sp.Interval.open(0, 1):
        return rng.uniform(0.2, 0.8)
    if domain == sp.S.Reals:
        return rng.uniform(-2, 2)
    return rng.uniform(0.5, 2)


def _integral(f, support, mu: float):
    """∫ f over the support, cut at μ (a location density's kink: |y − μ|, the check function) and the ends."""
    low = -mpmath.inf if support.inf == -sp.oo else mpmath.mpf(float(support.inf))
    high = mpmath.inf if support.sup == sp.oo else mpmath.mpf(float(support.sup))
    cuts = [mpmath.mpf(mu)] if low < mu < high else []
    return mpmath.quad(f, [low, *cuts, high])


def _diverges(family) -> object:
    return prose("the %s density's integral over its support diverges: it is no density, and the loss it gives "
                 "is not a negative log-likelihood", family.name) if not family.discrete else prose(
        "the %s density's sum over its support diverges: it is no distribution, and the loss it gives is not a "
        "negative log-likelihood", family.name)


def _grows(f, support, discrete: bool) -> bool:
    """The mass on [1000, 2000] (or the terms there) not small: a total that a quadrature reports as a big finite
    number is really a divergent one."""
    if support.sup != sp.oo:
        return False
    try:
        tail = mpmath.nsum(f, [1000, 2000]) if discrete else mpmath.quad(f, [1000, 2000])
        return not abs(complex(tail)) < 1e-3
    except (ValueError, ZeroDivisionError, OverflowError, TypeError):
        return True
