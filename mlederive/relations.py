"""Relations: how a step's expression stands to the step it refers to.

A relation is a value — its name, the symbol shown between steps, the phrase a reader
sees, and the type of its *payload*: the facts the step states beside its expression
(the dropped terms, the rescaling factor, the variable of a derivative …) that the
verifier must check too. Nothing here proves anything; the claim builders in
:mod:`mlederive.verification.claims` turn a relation and its payload into claims.

Adding a relation is one entry here and one claim builder there.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

import sympy as sp

# -- payloads: what a step of each relation states beside its expression ------------------------

@dataclass(frozen=True)
class Nothing:
    """The relation needs no facts besides the expressions (definition, log, i.i.d. product …)."""


@dataclass(frozen=True)
class Substituted:
    """A substitution: μ = g⁻¹(η) put into the reference (``inverse``), or stated replacements (``subs``)."""

    inverse: sp.Expr | None = None
    subs: Mapping | None = None
    #: sizes and values fixed for the check (an argument's K, n, sample)
    concrete: Mapping | None = None


@dataclass(frozen=True)
class Equality:
    """Equal to the reference, or to ``equals``, an expression built from the reference (e.g. (1/N)·log of it)."""

    equals: sp.Expr | None = None
    concrete: Mapping | None = None
    #: the concrete values are a sample: check at them, do not look for a symbolic-size proof
    sample: bool = False
    #: the scope of a concrete check, shown with its verdict
    where: str = ""
    #: (c_k, y_i, (i, 1, n)): c_k counts the observations y_i equal to k, every y_i one of the outcomes 1…K — so
    #: Σ_k f(k)·c_k = Σ_i f(y_i) for every n, K and sample
    counts: tuple | None = None
    #: (y, (0, 1)): the identity is claimed for these values of y only (a binary outcome's support), each checked
    outcomes: tuple | None = None


@dataclass(frozen=True)
class Dropped:
    """Terms free of θ removed: ``dropped`` lists them (a derivation); ``theta`` names θ (an argument)."""

    dropped: tuple | None = None
    theta: tuple = ()


@dataclass(frozen=True)
class Naming:
    """The step says which named loss it is: one observation's ``form`` in ŷ_i, times ``per`` (1/n for a mean),
    with ŷ_i the model's g⁻¹(η_i)."""

    form: sp.Expr
    per: sp.Expr = sp.S.One


@dataclass(frozen=True)
class Negation:
    concrete: Mapping | None = None
    #: the named loss the step says it is (sum reduction: the negation is the loss), or None
    named: Naming | None = None


@dataclass(frozen=True)
class Rescaling:
    """Multiplied by a positive factor free of θ and of the data: ``factor`` states it (else the ratio is it).

    ``unit_dispersion``: the step says what it is besides — the negative log-likelihood (the ``also`` step) times
    the family's dispersion φ, up to θ-free terms: gradient boosting's scale, checked, not taken from ``factor``."""

    factor: sp.Expr | None = None
    theta: tuple = ()
    #: the named loss the step says it is, or None
    named: Naming | None = None
    unit_dispersion: bool = False


@dataclass(frozen=True)
class Surrogate:
    """A Hessian that stands in for the curvature: ``value`` is what the documentation says it is; it must be the
    step's expression and positive (a leaf's value −G/(H + λ) divides by it)."""

    value: sp.Expr


@dataclass(frozen=True)
class Differentiation:
    """The derivative of order ``order`` in ``wrt`` — of the reference, or of ``of`` when stated.

    ``chain`` (∂loss/∂μ, dμ/dη) are the chain-rule factors shown in the justification;
    ``convex`` claims the second derivative positive; ``view`` maps display symbols (ŷ)
    to what they stand for (σ(θx)).
    """

    wrt: Any
    order: int = 1
    chain: tuple | None = None
    convex: bool = False
    #: the function differentiated, when it is not the reference
    function: sp.Expr | None = None
    view: Mapping | None = None


@dataclass(frozen=True)
class Expectation:
    """E over y: of an expression linear in y, the mean ``mean`` = g⁻¹(η) put in for y; of any other, through the
    family's ``moments`` ((m(y), E[m(y)]) pairs) with, for each entry of the step (row by row), the coefficients
    (c₀, (c₁, …)) that write the reference's entry as c₀ + Σ_j c_j·m_j(y)."""

    mean: sp.Expr | None = None
    moments: tuple = ()
    coefficients: tuple = ()


@dataclass(frozen=True)
class Limit:
    #: the function whose limit the step is
    function: sp.Expr
    var: sp.Symbol
    point: sp.Expr


@dataclass(frozen=True)
class Evaluation:
    """An exact value and its printed decimals: label → (decimal, unit)."""

    decimals: Mapping
    subs: Mapping | None = None
    #: the value stands alone: not the reference's value but ``value_of`` with ``subs`` put in
    standalone: bool = False
    value_of: sp.Expr | None = None


@dataclass(frozen=True)
class Difference:
    """A value that differs from ``other``; the value itself is ``value_of`` with ``subs`` put in (a definition)."""

    other: sp.Expr
    value_of: sp.Expr | None = None
    subs: Mapping | None = None


@dataclass(frozen=True)
class Shift:
    """A change of variable u = y − ``by`` in an integral over all of ℝ: the integrand at y = u + by is the step's
    integrand, and the limits stay (−∞, ∞)."""

    var: sp.Symbol
    new: sp.Symbol
    by: sp.Expr


@dataclass(frozen=True)
class Integrated:
    """An integral (or sum) over the outcome in closed form, checked against 30-digit quadrature (summation) at
    ``points`` (values of the other symbols): a non-smooth integrand is cut at ``breaks`` (functions of them)."""

    points: tuple = ({},)
    breaks: tuple = ()
    #: no closed form was found: the value is the quadrature's, rounded, and the integral is shown finite (the
    #: integrand times u² tends to 0 at ±∞)
    numeric: bool = False


@dataclass(frozen=True)
class Underflow:
    p: Any


# -- the relations --------------------------------------------------------------------------------

@dataclass(frozen=True)
class Relation:
    name: str
    #: shown between a step and its reference
    symbol: str
    #: what it means, for the reader: a prose template ($…$ mathematics)
    phrase: str
    payload: type = Nothing
    #: the phrase for a payload that says more (an expectation through moments), or None: the usual phrase
    variant: Any = None

    def phrase_for(self, payload) -> str:
        other = self.variant(payload) if self.variant is not None and payload is not None else None
        return other or self.phrase


RELATIONS: dict[str, Relation] = {r.name: r for r in (
    Relation("definition", ":=", "definition"),
    Relation("substitution", "=", "substitution (see the justification)", Substituted),
    Relation("iid-product", "=", "product over i.i.d. observations"),
    Relation("log", "↦ log", "log of the previous step (monotone: same argmax)"),
    Relation("equal", "=", "equal", Equality),
    Relation("constant-dropped", "≃", "equal up to a $θ$-free constant (same argmax)", Dropped),
    Relation("negated", "↦ −", "negated (argmax becomes argmin)", Negation),
    Relation("rescaled", "∝", "rescaled by a positive $θ$-free factor (same argmin)", Rescaling),
    Relation("derivative", "∂", "derivative", Differentiation),
    Relation("expectation", "E", "expectation over $y$ (linear in $y$, so $E[y] = μ$ goes in)", Expectation,
             lambda p: None if p.mean is not None else "expectation over $y$ (the family's moments put in by "
                                                       "linearity, each proved against its density)"),
    # MAP: a prior on the weights, and the closed-form minimiser of a quadratic loss
    Relation("negative-log", "↦ −log", "minus the log of the previous step"),
    Relation("bayes", "+", "Bayes' rule: the negative log-likelihood plus the negative log-prior (evidence dropped)"),
    Relation("stationary", "∇ = 0", "the gradient vanishes there, and the loss is convex"),
    Relation("surrogate", "≈", "a stated positive stand-in for the curvature", Surrogate),
    # the articles' other arguments (mlederive.arguments)
    Relation("limit", "→", "limit", Limit),
    Relation("evaluated", "≈", "evaluated: exact value and its decimals", Evaluation),
    Relation("differs", "≠", "differs from the stated expression (exact values compared)", Difference),
    Relation("shift", "=", "the same integral after the change of variable (see the justification)", Shift),
    Relation("integrated", "=", "integrated in closed form (checked by quadrature)", Integrated),
    Relation("float64-underflow", "fl", "recomputed in IEEE-754 double precision", Underflow),
)}


def relation(name: str) -> Relation:
    try:
        return RELATIONS[name]
    except KeyError:
        raise ValueError("unknown relation %r; known: %s" % (name, ", ".join(RELATIONS))) from None
