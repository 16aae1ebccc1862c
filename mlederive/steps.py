"""The values that flow through the pipeline: a Step, its Check, a Derivation.

A step states an expression and how it relates to an earlier step (its
*relation*); it never says whether that is true. The verifier decides, and its
verdict is a separate Check, so a renderer can show both and nothing can
confuse a claim with its proof.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import sympy as sp

#: relation name → (symbol shown between steps, what it means)
RELATIONS: dict[str, tuple[str, str]] = {
    "definition": (":=", "definition (nothing to prove)"),
    "substitution": ("=", "substitution (see the justification)"),
    "iid-product": ("=", "product over i.i.d. observations"),
    "log": ("↦ log", "log of the previous step (monotone: same argmax)"),
    "equal": ("=", "equal"),
    "constant-dropped": ("≃", "equal up to a θ-free constant (same argmax)"),
    "negated": ("↦ −", "negated (argmax becomes argmin)"),
    "rescaled": ("∝", "rescaled by a positive θ-free factor (same argmin)"),
    "derivative": ("∂", "derivative"),
    "expectation": ("E", "expectation over y (linear in y, so E[y] = μ goes in)"),
    # MAP: a prior on the weights, and the closed-form minimiser of a quadratic loss
    "negative-log": ("↦ −log", "minus the log of the previous step"),
    "bayes": ("+", "Bayes' rule: the negative log-likelihood plus the negative log-prior (evidence dropped)"),
    "stationary": ("∇ = 0", "the gradient vanishes there, and the loss is convex"),
    # relations of the arguments (mlederive.arguments)
    "limit": ("→", "limit"),
    "evaluated": ("≈", "evaluated: exact value and its decimals"),
    "differs": ("≠", "differs from the stated expression (exact values compared)"),
    "float64-underflow": ("fl", "recomputed in IEEE-754 double precision"),
}


@dataclass(frozen=True)
class Step:
    title: str
    justification: str
    lhs: str  # what the expression is, e.g. "ℓ(θ)"; LaTeX label in lhs_latex
    lhs_latex: str
    expr: sp.Expr
    relation: str
    #: index of the step the relation refers to (None: the previous step)
    reference: int | None = None
    #: a second step the relation uses (the negative log-prior added by "bayes")
    also: int | None = None
    #: facts the verifier checks for this relation (dropped terms, wrt, claimed inverse …)
    data: dict = field(default_factory=dict)
    #: extra lines for the reader (dropped terms, the recognised loss …)
    notes: tuple[str, ...] = ()

    def __post_init__(self):
        if self.relation not in RELATIONS:
            raise ValueError("unknown relation %r" % self.relation)


@dataclass(frozen=True)
class Check:
    verified: bool
    method: str  # "symbolic" | "numeric" | "definition"
    detail: str = ""
    seconds: float = 0.0
    #: where the claims were checked when not fully general, e.g. "at K = 4, n = 6" (shown with the mark)
    scope: str = ""


@dataclass(frozen=True)
class Result:
    """A final result shown after the steps: a label, and ``lhs = expr``."""

    label: str
    lhs: str
    lhs_latex: str
    expr: sp.Expr


@dataclass(frozen=True)
class Table:
    """A small table of numbers (computed from verified expressions), for every output format."""

    title: str
    headers: tuple
    rows: tuple  # of tuples of strings


class _Document:
    """What every renderer reads: recipe, subtitle, steps, checks, results, tables, warnings."""

    @property
    def verified(self) -> bool:
        return bool(self.checks) and len(self.checks) == len(self.steps) and all(c.verified for c in self.checks)

    def __rich__(self):
        from .render.terminal import derivation_renderable

        return derivation_renderable(self)


@dataclass
class Argument(_Document):
    """One of the reference articles' other arguments (MSE vs BCE on a sigmoid, KL ≡ MLE, …)."""

    recipe: Any
    subtitle: str
    steps: list[Step]
    results: list[Result]
    tables: list[Table] = field(default_factory=list)
    #: extra top-level fields of the JSON output (e.g. kl_pq)
    json: dict = field(default_factory=dict)
    checks: list[Check] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    #: a figure the CLI can draw (--plot), as data: see mlederive.arguments
    figure: Any = None


@dataclass
class Derivation(_Document):
    recipe: Any
    model: Any
    steps: list[Step]
    loss: sp.Expr
    gradient: sp.Expr
    gradients: dict
    loss_summand: sp.Expr  # one observation's loss, before the reduction
    loss_name: str | None
    loglik_summand: sp.Expr = sp.S.Zero  # one observation's log-likelihood, nothing dropped
    grad_eta_obs: sp.Expr = sp.S.Zero  # d(loss_summand)/dη (a k-indexed form for vector outcomes)
    checks: list[Check] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    tables: list = field(default_factory=list)
    figure: Any = None
    #: MAP (a prior on the weights): prior, penalty, lambda, loss, gradient; None for maximum likelihood
    map: dict | None = None

    @property
    def subtitle(self) -> str:
        m, r = self.model, self.recipe
        text = "%s family, %s link (%s), %s predictor, %s reduction" % (
            m.family.title, m.link.name, m.pairing.status, m.predictor.name, r.reduction)
        return text + (", %s prior (MAP)" % m.prior.name if m.prior is not None else "")

    @property
    def results(self) -> list[Result]:
        out = [Result("Loss: %s" % (self.loss_name or "no textbook name (see the last loss step)"),
                      "loss(θ)", r"\mathcal{L}(\theta)", self.loss)]
        for name, g in self.gradients.items():
            if name == "theta":
                label = "∇_θk" if self.model.vector else "∇_θ"
                lhs_latex = r"\nabla_{\theta%s} \mathcal{L}" % ("_k" if self.model.vector else "")
            else:
                label, lhs_latex = "∂/∂%s" % name, r"\frac{\partial \mathcal{L}}{\partial \%s}" % name
            out.append(Result("Gradient %s:" % label, label + " loss", lhs_latex, g))
        if self.map is not None:
            out.append(Result("MAP loss: %s" % self.map["penalty"], "loss_MAP(θ)", r"\mathcal{L}_{\mathrm{MAP}}(\theta)",
                              self.map["loss"]))
            out.append(Result("Its gradient:", "∇_θ loss_MAP", r"\nabla_{\theta} \mathcal{L}_{\mathrm{MAP}}",
                              self.map["gradient"]))
            out.append(Result("Penalty weight (against the summed loss):", "λ", r"\lambda", self.map["lambda"]))
        return out
