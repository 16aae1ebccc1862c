"""The catalogue of typical mistakes: each a kind, the words a student is told, and the mistake *made* — applied to
the step the student meant to write — so a wrong step is explained when the prover shows it equal to a mistake made,
never by a guess from its shape.

The operators (:func:`negated`, :func:`times`, :func:`without_term`, :func:`logs_swapped`, :func:`without_chain`,
:func:`through_link`) are the soundness corpus's too: ``tests/mutations.py`` applies them to every step of every
derivation, and the verifier must reject each. One source: a mistake the grader names is a mistake the verifier is
shown to catch.

Each :class:`Mistake` yields, for the step before and the model, the wrong steps it makes (written out for n = 3 as
the relations are) and how the student's step must stand to one (``exact``: equal; ``affine``: equal up to a θ-free
rescaling and constant, as when a θ-term was dropped on the way to the loss). They are tried in the catalogue's order.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterator

import sympy as sp

from .. import symbolic as S

# -- the operators (shared with the soundness corpus) ---------------------------------------------------------------


def negated(expr: sp.Expr) -> sp.Expr:
    """A sign error: the whole step negated."""
    return -expr


def times(expr: sp.Expr, factor) -> sp.Expr:
    """A factor missing or extra: the step times a number (½ forgotten, an n too many)."""
    return factor * expr


def theta_terms(expr: sp.Expr, depends) -> Iterator[tuple[sp.Expr, sp.Expr]]:
    """Each term of ``expr``'s sums (or of ``expr`` itself, a sum of terms) that ``depends`` on θ, as (factor,
    term): what a student could drop as a constant."""
    for total in sp.Add.make_args(sp.expand(expr)):
        factor, inner = (sp.S.One, total) if isinstance(total, sp.Sum) else total.as_independent(sp.Sum)
        if not isinstance(inner, sp.Sum):
            continue
        for term in sp.Add.make_args(sp.expand(inner.function)):
            if depends(term):
                yield factor, sp.Sum(term, *inner.limits)


def without_term(expr: sp.Expr, term: sp.Expr | None = None) -> sp.Expr | None:
    """``expr`` with ``term`` dropped — by default its last term (of the sum, or of the sum inside Σ): a term
    dropped as if it were a constant."""
    if term is not None:
        return expr - term
    if expr.is_Add:
        return sp.Add(*expr.args[:-1])
    if isinstance(expr, sp.Sum) and expr.function.is_Add:
        return sp.Sum(sp.Add(*expr.function.args[:-1]), *expr.limits)
    return None


def logs_swapped(expr: sp.Expr, to_sum_of_logs: bool) -> sp.Expr:
    """Each log(u + v) as log u + log v — or each log u + log v in a sum's terms as log(u + v): the log of a sum."""
    if to_sum_of_logs:
        return expr.replace(lambda e: isinstance(e, sp.log) and e.args[0].is_Add,
                            lambda e: sp.Add(*[sp.log(t) for t in sp.Add.make_args(e.args[0])]))

    def merge(total):
        logs = [t for t in sp.Add.make_args(total.function) if isinstance(t, sp.log)]
        if len(logs) < 2:
            return total
        rest = sp.Add(*[t for t in sp.Add.make_args(total.function) if not isinstance(t, sp.log)])
        return sp.Sum(rest + sp.log(sp.Add(*[t.args[0] for t in logs])), *total.limits)

    return expr.replace(lambda e: isinstance(e, sp.Sum), merge)


def without_chain(derivative_in_eta: sp.Expr, slope: sp.Expr) -> sp.Expr:
    """The derivative in μ where the one in η was meant: the chain rule's dμ/dη (``slope``) left out."""
    return derivative_in_eta / slope


def through_link(derivative_in_eta: sp.Expr, slope: sp.Expr, other_slope: sp.Expr) -> sp.Expr:
    """The chain rule through another link: ∂A/∂μ times the other link's dμ/dη."""
    return derivative_in_eta / slope * other_slope


# -- the catalogue ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Made:
    """One mistake made: the wrong step (written out for n = 3), the words, and how the student's step must stand
    to it."""

    wrong: sp.Expr
    hint: str
    match: str = "exact"  # or "affine"


@dataclass(frozen=True)
class Situation:
    """What a mistake is made on: the step before (as the student wrote it, in the model's symbols), it written out
    (``a``), the student's step written out (``b``, to fit a factor's size) and the model."""

    before: sp.Expr
    a: sp.Expr
    b: sp.Expr
    model: object
    concrete: Callable  # an expression → it written out for n = 3
    eta: sp.Expr  # the predictor a row's derivative is taken in (η₁; η₁₁ for a one-hot outcome)
    gradient: Callable  # a written-out expression → its gradient in θ
    values: Callable  # a written-out expression → its values at a few sampled points (None: not evaluable)


@dataclass(frozen=True)
class Mistake:
    kind: str
    what: str  # the catalogue's one line: what the mistake is
    make: Callable[[Situation], Iterator[Made]]


MISTAKES: dict[str, Mistake] = {}


def mistake(kind: str, what: str):
    def register(make):
        MISTAKES[kind] = Mistake(kind, what, make)
        return make
    return register


def _shown(expr) -> str:
    """An expression in a hint: one line, a minus sign where the inline form has a hyphen."""
    return S.inline(expr).replace("-", "−")


def _slope(s: "Situation"):
    """dμ/dη of one row (0 for a one-hot outcome: its classes' means have no single slope, and no other link)."""
    return sp.S.Zero if s.model.one_hot else sp.diff(s.model.mean(1), s.eta)


def meant(s: "Situation") -> Iterator[tuple[str, sp.Expr]]:
    """What the step after the step before could have meant to be: its log, its derivative in η₁, its gradient."""
    yield "the log of the step before", sp.expand_log(sp.log(s.a), force=True)
    yield "the derivative in ηᵢ of the step before", sp.diff(s.a, s.eta)
    yield "the gradient in θ of the step before", s.gradient(s.a)


@mistake("chain rule", "the derivative in μᵢ where the one in ηᵢ was meant: the chain rule's dμᵢ/dηᵢ missing")
def _chain_rule(s: Situation):
    slope = _slope(s)
    if slope not in (0, 1):
        yield Made(without_chain(sp.diff(s.a, s.eta), slope),
                   "the derivative in μᵢ, not in ηᵢ: the chain rule's factor dμᵢ/dηᵢ = %s is missing"
                   % _shown(s.model.link.inverse_deriv_in_mu(s.model.mu_obs())))


@mistake("wrong link", "the chain rule through another link's dμ/dη")
def _wrong_link(s: Situation):
    from ..links import LINKS

    slope = _slope(s)
    if slope == 0:
        return
    for name, link in LINKS.items():
        if name in (s.model.link.name, "softmax"):
            continue
        try:
            other = sp.diff(link.inverse(s.eta), s.eta)
        except (TypeError, ValueError, NotImplementedError):
            continue
        if other != slope:
            yield Made(through_link(sp.diff(s.a, s.eta), slope, other),
                       "the chain rule through the %s link's dμ/dη, not the %s link's" % (name, s.model.link.name))


@mistake("sign", "the step meant (the log, the derivative, the gradient) with the wrong sign")
def _sign(s: Situation):
    for what, right in meant(s):
        yield Made(negated(right), "%s with the wrong sign" % what)


@mistake("factor", "the step meant times a number: a ½ or a 1/n missing or extra")
def _factor(s: Situation):
    for what, right in meant(s):
        ratio = _ratio(s, right)
        if ratio is not None:
            yield Made(times(right, ratio), "%s times %s: a factor is missing or extra" % (what, ratio))


def _ratio(s: Situation, right) -> sp.Rational | None:
    """The student's step over the step meant, where it is one plain positive number ≠ 1 at sampled points (2, ½, 3
    …): the factor to make the mistake with — which is then proved, as every mistake is."""
    mine, meant_values = s.values(s.b), s.values(right)
    if mine is None or meant_values is None or any(abs(v) < 1e-12 for v in meant_values):
        return None
    ratios = [m / r for m, r in zip(mine, meant_values)]
    first = ratios[0]
    if abs(first.imag) > 1e-9 or first.real <= 0 or any(abs(q - first) > 1e-9 * abs(first) for q in ratios):
        return None
    ratio = sp.nsimplify(first.real, tolerance=1e-9, rational=True)
    return ratio if ratio != 1 and ratio.q <= 1000 and abs(ratio) < 1000 else None


@mistake("θ-term dropped", "a term that depends on θ dropped as if it were a constant")
def _theta_term(s: Situation):
    for factor, term in theta_terms(s.before, lambda t: t.has(S.eta)):
        yield Made(s.concrete(without_term(s.before, factor * term)),
                   "the step before with the term %s dropped, which depends on θ (through ηᵢ): it is no constant"
                   % _shown(factor * term.function), "affine")


@mistake("log of a sum", "log(u + v) taken as log u + log v, or log u + log v written log(u + v)")
def _log_of_a_sum(s: Situation):
    for to_sum, words in ((True, "the log of a sum taken as the sum of the logs: log(u + v) is not log u + log v"),
                          (False, "the sum of two logs written as the log of a sum: log u + log v = log(uv), not "
                                  "log(u + v)")):
        wrong = logs_swapped(s.before, to_sum)
        if wrong != s.before:
            yield Made(s.concrete(wrong), words)
