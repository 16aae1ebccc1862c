"""The values that flow through the pipeline: a Step, its Check, and the documents made of them.

A step states an expression and how it relates to an earlier step (its *relation*,
with a typed payload of the facts it states); it never says whether that is true.
The verifier decides, and its verdict is a separate :class:`Check`, so a renderer can
show both and nothing can confuse a claim with its proof.

Steps are frozen and carry a stable ``id``; a step refers to another by that id (a
handle returned by :class:`StepBuilder`), never by its position. That is what lets a
user replace one step with ``dataclasses.replace`` and verify the document again.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass, field, replace
from typing import Any, Callable

import sympy as sp

from .prose import Prose, prose
from .relations import RELATIONS, relation
from .textenum import TextEnum


def _prose(value) -> Prose:
    """A step's words as Prose: a string is read as a template ($…$ mathematics, `code`)."""
    return value if isinstance(value, Prose) else prose(value)


@dataclass(frozen=True)
class Step:
    title: Prose
    justification: Prose
    lhs: str  # what the expression is, e.g. "ℓ(θ)"; LaTeX label in lhs_latex
    lhs_latex: str
    expr: sp.Expr
    relation: str
    #: the facts the relation states besides the expressions (see mlederive.relations)
    payload: Any = None
    #: a stable identifier: 'loss', 'grad-eta' … (JSON, references)
    id: str = ""
    #: id of the step the relation refers to (None: the previous step)
    reference: str | None = None
    #: id of a second step the relation uses (the negative log-prior added by "bayes")
    also: str | None = None
    #: extra lines for the reader (dropped terms, the recognised loss …)
    notes: tuple[Prose, ...] = ()
    #: the form a textbook writes ``expr`` in (1/(σ√(2π))·exp(…), softmax_k(η_i) − y_ik), or None; it is
    #: what the reader sees, so the verifier proves it equal to ``expr`` like any other claim
    display: sp.Expr | None = None

    def __post_init__(self):
        object.__setattr__(self, "title", _prose(self.title))
        object.__setattr__(self, "justification", _prose(self.justification))
        object.__setattr__(self, "notes", tuple(_prose(n) for n in self.notes))
        kind = relation(self.relation).payload
        if self.payload is None:
            object.__setattr__(self, "payload", kind())
        elif not isinstance(self.payload, kind):
            raise TypeError("a %s step takes a %s payload, not %s" % (
                self.relation, kind.__name__, type(self.payload).__name__))


class Method(TextEnum):
    """How a check was decided."""

    SYMBOLIC = "symbolic"  # proved by rewriting to zero (or a positive form)
    NUMERIC = "numeric"  # SymPy could not decide in time: checked at sampled points
    DEFINITION = "definition"  # stated, not derived: nothing to check
    COMPUTED = "computed"  # decided by exact or IEEE arithmetic
    NOT_CHECKED = "not checked"  # its reference failed: nothing to check it against


@dataclass(frozen=True)
class Check:
    verified: bool
    method: Method
    detail: str = ""
    seconds: float = 0.0
    #: where the claims were checked when not fully general, e.g. "at K = 4, n = 6" (shown with the mark)
    scope: str = ""


@dataclass(frozen=True)
class Result:
    """A final result shown after the steps: a label, and ``lhs = expr``."""

    label: Prose
    lhs: str
    lhs_latex: str
    expr: sp.Expr
    #: the textbook form shown (the display of the verified step this result repeats), or None
    display: sp.Expr | None = None

    def __post_init__(self):
        object.__setattr__(self, "label", _prose(self.label))

    @classmethod
    def of(cls, label: str, step: "Step") -> "Result":
        """A step's expression repeated as a result, with the step's verified display form."""
        return cls(label, step.lhs, step.lhs_latex, step.expr, step.display)


@dataclass(frozen=True)
class Table:
    """A small table of numbers (computed from verified expressions), for every output format."""

    title: Prose
    headers: tuple
    rows: tuple  # of tuples of Prose (a string cell is plain text)

    def __post_init__(self):
        object.__setattr__(self, "title", _prose(self.title))
        object.__setattr__(self, "headers", tuple(_prose(h) for h in self.headers))  # ours: templates


class StepBuilder:
    """Collects a document's steps; adding one returns it, the handle later steps refer to.

    ``reference=`` and ``also=`` take a step returned earlier (or None: the previous
    step), so no step is found by counting.
    """

    def __init__(self):
        self.steps: list[Step] = []

    def add(self, title: str, justification: str, lhs: str, lhs_latex: str, expr, relation_name: str,
            payload=None, *, id: str | None = None, reference: Step | None = None, also: Step | None = None,
            notes: tuple = (), display: sp.Expr | None = None) -> Step:
        step_id = id or "step-%d" % (len(self.steps) + 1)
        if any(s.id == step_id for s in self.steps):
            raise ValueError("two steps with the id %r" % step_id)
        for ref in (reference, also):
            if ref is not None and ref not in self.steps:
                raise ValueError("step %r refers to a step not in this document" % step_id)
        step = Step(title, justification, lhs, lhs_latex, expr, relation_name, payload, step_id,
                    reference.id if reference is not None else None, also.id if also is not None else None,
                    tuple(notes), display)
        self.steps.append(step)
        return step


#: the terminal renderer, registered by mlederive.render.terminal: (document, width, unicode) -> rich renderable.
#: Documents sit below presentation and never import it; the registry is how rich finds it.
RICH_RENDERER: list[Callable] = []
#: what a notebook shows: MIME kind ("html", "latex", "markdown") → function(document) -> text; registered by
#: mlederive.render like the terminal renderer (Jupyter calls _repr_html_, nbconvert's LaTeX export _repr_latex_)
NOTEBOOK: dict[str, Callable] = {}
#: the verified forms generated code computes for a derivation (mlederive.derivation.implementation.forms), registered
#: by mlederive.derivation: Derivation.implementation computes them once, on first use, as part of the derivation
IMPLEMENTATION: list[Callable] = []


class _Document:
    """What every renderer reads: recipe, subtitle, steps, checks, results, tables, warnings."""

    @property
    def verified(self) -> bool:
        return bool(self.checks) and len(self.checks) == len(self.steps) and all(c.verified for c in self.checks)

    def step(self, step_id: str) -> Step:
        for s in self.steps:
            if s.id == step_id:
                return s
        raise KeyError("no step %r in %s" % (step_id, self.recipe.name))

    def reference_of(self, step: Step) -> Step | None:
        """The step ``step`` refers to: its stated reference, else the one before it in this document."""
        if step.reference is not None:
            return self.step(step.reference)
        index = next(n for n, s in enumerate(self.steps) if s.id == step.id)
        return self.steps[index - 1] if index > 0 else None

    def replace_step(self, step: Step):
        """A copy of this document with the step of the same id replaced (and no checks)."""
        steps = [step if s.id == step.id else s for s in self.steps]
        if steps == self.steps and step not in self.steps:
            raise KeyError("no step %r to replace" % step.id)
        return replace(self, steps=steps, checks=[])

    def __repr__(self) -> str:
        """A short line for a REPL (the fields hold SymPy expressions thousands of characters long):
        <Derivation bernoulli-logit: 12 steps, verified (12 symbolic); binary cross-entropy (BCE), mean over …>."""
        if not self.checks:
            state = "not verified yet"
        else:
            methods = {}
            for c in self.checks:
                methods[c.method.value] = methods.get(c.method.value, 0) + 1
            state = "%s (%s)" % ("verified" if self.verified else "NOT verified",
                                 ", ".join("%d %s" % (k, m) for m, k in methods.items()))
        what = getattr(self, "loss_name", None) or getattr(self, "subtitle", "")
        return "<%s %s: %d steps, %s%s>" % (type(self).__name__, self.recipe.name, len(self.steps), state,
                                           "; %s" % what if what else "")

    def _notebook(self, kind: str):
        render = NOTEBOOK.get(kind)
        return None if render is None else render(self)  # None: the notebook shows the next form it knows

    def _repr_html_(self):
        """A notebook shows the HTML page's body: MathML, the steps, each check's verdict, the tables."""
        return self._notebook("html")

    def _repr_latex_(self):
        """The LaTeX body (what --fragment gives), for nbconvert's LaTeX and PDF export."""
        return self._notebook("latex")

    def _repr_markdown_(self):
        return self._notebook("markdown")

    def __rich_console__(self, console, options):
        unicode = (console.encoding or "").lower().startswith("utf")
        if not RICH_RENDERER:  # the facades (mlederive.derive, mlederive.verify) import it
            raise RuntimeError("no terminal renderer registered: import mlederive.render.terminal first")
        yield RICH_RENDERER[0](self, options.max_width, unicode)


@dataclass(repr=False)
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

    def __post_init__(self):
        # an argument's steps are found by position in its module: step-1, step-2, …
        self.steps = [s if s.id else replace(s, id="step-%d" % n) for n, s in enumerate(self.steps, start=1)]


@dataclass(frozen=True)
class MapSummary:
    """MAP (a prior on the weights): what the prior became."""

    prior: Any
    #: the penalty's name with its λ, e.g. "L2 penalty (ridge regression, weight decay) with λ = σ²/τ²"
    penalty: str
    lam: sp.Expr
    loss: sp.Expr
    gradient: sp.Expr


@dataclass(repr=False)
class Derivation(_Document):
    recipe: Any
    model: Any
    subtitle: str
    steps: list[Step]
    results: list[Result]
    loss: sp.Expr
    gradients: dict
    loss_summand: sp.Expr  # one observation's loss, before the reduction
    loss_name: str | None
    loglik_summand: sp.Expr = sp.S.Zero  # one observation's log-likelihood, nothing dropped
    grad_eta_obs: sp.Expr = sp.S.Zero  # d(loss_summand)/dη (a k-indexed form for one-hot outcomes)
    #: d²(loss_summand)/dη² and its expectation over y (the Fisher information); None where absent
    curvature_obs: sp.Expr | None = None
    fisher_obs: sp.Expr | None = None
    checks: list[Check] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    tables: list = field(default_factory=list)
    figure: Any = None
    #: MAP: what the prior became; None for maximum likelihood
    posterior: MapSummary | None = None

    @property
    def gradient(self) -> sp.Expr:
        """∇_θ of the loss."""
        return self.gradients["theta"]

    @functools.cached_property
    def implementation(self):
        """What generated code computes for one observation, each form a verified step (Forms: the loss in stable
        primitives, its gradient, the Hessian it uses and why): derived once, on first use, so that a renderer
        (the JSON's ``observation.stable``) only reads it."""
        return IMPLEMENTATION[0](self)


__all__ = ["RELATIONS", "Argument", "Check", "Derivation", "MapSummary", "Method", "Result", "Step", "StepBuilder",
           "Table"]
