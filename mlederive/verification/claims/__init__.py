"""Claim builders: one per relation (and kind of document), registered with :func:`claims`.

A builder turns a step, its reference (and a second step for ``bayes``) into claims —
expressions that must vanish or be positive — and never decides them: the prover does.
Steps of a derivation are checked against the model (``on="model"``): on one
observation's term of a sum over the sample (so for every n), class k's term for a vector
outcome (so for every K), one weight's term of a prior (so for every d); only ∂η/∂θ of the
predictor itself is checked on a concrete instance of it. Steps of the articles' arguments
have no model (``on="plain"``).

Adding a relation is one builder in one of the modules below.
"""
from __future__ import annotations

import dataclasses
from typing import Callable

import sympy as sp

from ... import symbolic as S
from ...primitives import expand_primitives
from ..prover import Claim

UNROLL_SIZE = 3

#: (relation name, "model" | "plain") → builder(context)
BUILDERS: dict[tuple[str, str], Callable] = {}


def claims(relation_name: str, on: str = "model"):
    """Register the decorated function as the claim builder of ``relation_name`` for documents ``on``."""
    if on not in ("model", "plain"):
        raise ValueError("on= is 'model' or 'plain'")

    def register(builder):
        BUILDERS[(relation_name, on)] = builder
        return builder

    return register


class Malformed(ValueError):
    """The step cannot be what its relation says (wrong shape, a payload that does not fit the model)."""


class Context:
    """What a builder sees: the step, its reference, the ``also`` step, the model (None for arguments)."""

    def __init__(self, model, step, ref, also=None):
        self.model, self.step, self.ref, self.also = model, step, ref, also
        self.payload = step.payload
        self.out: list[Claim] = []

    def zero(self, expr, label):
        self.out.append(Claim("zero", expr, label))

    def positive(self, expr, label):
        self.out.append(Claim("positive", expr, label))

    def fact(self, holds: bool, label: str):
        """Already decided by exact or IEEE arithmetic."""
        self.out.append(Claim("fact", bool(holds), label))

    # concrete forms (a model's K, the one-hot constraint, n written out)
    def c(self, expr, **kw):
        """The concrete form every data claim is made on: K fixed, sums written out, and a stable form's
        primitives written out by their definitions (so a derivative of one never rests on our fdiff)."""
        return self.model.concretize(expand_primitives(expr), **kw)

    def theta_instance(self):
        """A concrete predictor for the checks of ∂η/∂θ itself (two logits of their own for a vector model: what is
        checked is one logit's weights, whatever K)."""
        return self.model.predictor.concrete(UNROLL_SIZE, (self.model.classes or 2) if self.model.vector else None)


def summand(expr):
    """One observation's term of a sum (or factor of a product) over the sample; a prior's penalty is left out."""
    return S.to_factor(expr) if isinstance(expr, sp.Product) else S.to_summand(split_penalty(expr)[0])


def per_observation(expr) -> bool:
    """True when ``expr`` is one observation's quantity (∂loss/∂η_i, a stable form of ℓ_i), not a sum or product
    over the sample."""
    return not any(lim[0] == S.i for s in expr.atoms(sp.Sum, sp.Product) for lim in s.limits)


def observation_term(expr):
    """One observation's term: ``expr`` itself when it is per observation (∂ℓ_i/∂η_i), else its summand (any n)."""
    return expr if per_observation(expr) else summand(expr)


def prior_summand(expr):
    """One weight's term of an objective's prior part: ``r`` with prior part = Σ_{j=1}^d r (j-free terms over d).

    Claims on it hold for every d, as the data claims on :func:`summand` hold for every n.
    """
    penalty = split_penalty(expr)[1]
    try:
        return S.to_summand(penalty, index=S.j, size=S.d)
    except ValueError as e:
        raise Malformed("the prior's terms must be a sum over the weights j = 1…d: %s" % e) from None


def split_penalty(expr):
    """(data terms, penalty terms) of an objective: a prior's terms mention the weights θ_j (or θ), or d."""
    data, penalty = [], []
    for term in sp.Add.make_args(S.distribute(expr)):  # a common factor pulled out must not hide the data terms
        (penalty if term.has(S.weights.label) or term.has(S.d) else data).append(term)
    return sp.Add(*data), sp.Add(*penalty)


def display_claims(model, step) -> list[Claim]:
    """The claim that a step's display form (what the reader sees) equals its working form.

    Made like the relation claims: one observation's factor of a product, one observation's term
    of a sum over the sample (and the prior's, one weight's term), class k's for any K. Named
    functions (softmax_k) and the Beta function are written out by their definitions.
    """
    if step.display is None:
        return []
    shown = S.expand_functions(S.evaluated(step.display)).replace(
        sp.beta, lambda a, b: sp.gamma(a) * sp.gamma(b) / sp.gamma(a + b))
    label = "the textbook form shown equals the working form"
    if model is None:
        return [Claim("zero", shown - step.expr, label)]
    sample_product = isinstance(shown, sp.Product) and shown.limits[-1][1:] == (1, S.n)
    m = model.every_class  # a vector model's classes stay symbolic: the claim holds for every K
    suffix = " (any K)" if model.vector else ""
    out = []
    if sample_product:
        try:
            working = S.to_factor(step.expr)
        except ValueError:
            raise Malformed("the textbook form shown is a product over the sample; the step is not") from None
        diff = S.to_factor(shown) - working
    elif any(limits[1:] == (1, S.n) for s in step.expr.atoms(sp.Sum) for limits in s.limits):
        diff = summand(shown) - summand(step.expr)
        prior = split_penalty(shown)[1] - split_penalty(step.expr)[1]
        if prior != 0:
            out.append(Claim("zero", m.concretize(prior_summand(shown) - prior_summand(step.expr)),
                             label + " (prior terms, any d)"))
    else:
        diff = shown - step.expr
    out.append(Claim("zero", m.concretize(diff), label + suffix))
    return out


def build_claims(model, step, ref, also=None) -> list[Claim]:
    """The claims of one step (importing the builder modules registers them)."""
    from . import calculus, likelihood, plain, posterior  # noqa: F401  (registration)

    on = "plain" if model is None else "model"
    builder = BUILDERS.get((step.relation, on))
    if builder is None:
        raise Malformed("no verifier for relation %r here" % step.relation)
    cx = Context(model if model is None else model.every_class, step, ref, also)
    builder(cx)
    if model is None or not model.vector:
        return cx.out
    # a claim about the classes is made on class k's term with K and k symbols, as a claim about the sample is made
    # on observation i's term: it holds for every K ≥ 2 and every class (mlederive.verification.classes)
    return [dataclasses.replace(c, label="%s (any K)" % c.label) if c.kind != "fact" else c for c in cx.out]
