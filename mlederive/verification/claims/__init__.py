"""Claim builders: one per relation (and kind of document), registered with :func:`claims`.

A builder turns a step, its reference (and a second step for ``bayes``) into claims —
expressions that must vanish or be positive — and never decides them: the prover does.
Steps of a derivation are checked against the model (``on="model"``): on one
observation's term of a sum over the sample (so for every n), class k's term for a one-hot
outcome (so for every K), one weight's term of a prior (so for every d); only ∂η/∂θ of the
predictor itself is checked on a concrete instance of it. Steps of the articles' arguments
have no model (``on="plain"``).

Adding a relation is one builder in one of the modules below; the registry is :mod:`.registry`.
"""
from __future__ import annotations

import dataclasses

import sympy as sp

from ... import symbolic as S
from ..prover import Claim
from . import arguments, calculus, likelihood, posterior  # noqa: F401  (importing a builder module registers it)
from .registry import (  # noqa: F401
    BUILDERS,
    UNROLL_SIZE,
    Context,
    Malformed,
    claims,
    observation_term,
    per_observation,
    prior_summand,
    split_penalty,
    summand,
)


def display_claims(model, step) -> list[Claim]:
    """The claim that a step's display form (what the reader sees) equals its working form.

    Made like the relation claims: one observation's factor of a product, one observation's term
    of a sum over the sample (and the prior's, one weight's term), class k's for any K. Named
    functions (softmax_k) and the Beta function are written out by their definitions.
    """
    if step.display is None:
        return []
    display = step.display
    if isinstance(display, sp.MatMul):  # (1/n)·[…]: the factor taken into each entry
        factor, matrices = display.as_coeff_matrices()
        if len(matrices) != 1:
            raise Malformed("a matrix shown as a number times one matrix")
        display = sp.ImmutableMatrix(matrices[0].applyfunc(lambda e: factor * e))
    shown = S.expand_functions(S.evaluated(display)).replace(
        sp.beta, lambda a, b: sp.gamma(a) * sp.gamma(b) / sp.gamma(a + b))
    label = "the textbook form shown equals the working form"
    if model is None:
        return [Claim("zero", shown - step.expr, label)]
    sample_product = isinstance(shown, sp.Product) and shown.limits[-1][1:] == (1, S.n)
    m = model.every_class  # a one-hot model's classes stay symbolic: the claim holds for every K
    suffix = " (any K)" if model.one_hot else ""
    working = step.expr
    if m.several:  # shown in the parameters' values (μ_i, σ_i), each g⁻¹ of its η: compared in η
        shown, working = shown.xreplace(m.inverses()), working.xreplace(m.inverses())
    if isinstance(shown, sp.MatrixBase):
        if not isinstance(working, sp.MatrixBase) or shown.shape != working.shape:
            raise Malformed("the form shown is a %d × %d matrix; the step is not" % shown.shape)
        return [Claim("zero", m.concretize(a - b), "%s, entry (%d, %d)" % (label, k // shown.cols + 1,
                                                                          k % shown.cols + 1))
                for k, (a, b) in enumerate(zip(shown, working))]
    out = []
    if sample_product:
        try:
            working = S.to_factor(working)
        except ValueError:
            raise Malformed("the textbook form shown is a product over the sample; the step is not") from None
        diff = S.to_factor(shown) - working
    elif any(limits[1:] == (1, S.n) for s in working.atoms(sp.Sum) for limits in s.limits):
        diff = summand(shown) - summand(working)
        prior = split_penalty(shown)[1] - split_penalty(working)[1]
        if prior != 0:
            out.append(Claim("zero", m.concretize(prior_summand(shown) - prior_summand(working)),
                             label + " (prior terms, any d)"))
    else:
        diff = shown - working
    out.append(Claim("zero", m.concretize(diff), label + suffix))
    return out


def build_claims(model, step, ref, also=None) -> list[Claim]:
    """The claims of one step."""
    on = "plain" if model is None else "model"
    builder = BUILDERS.get((step.relation, on))
    if builder is None:
        raise Malformed("no verifier for relation %r here" % step.relation)
    cx = Context(model if model is None else model.every_class, step, ref, also)
    builder(cx)
    if model is None or not model.one_hot:
        return cx.out
    # a claim about the classes is made on class k's term with K and k symbols, as a claim about the sample is made
    # on observation i's term: it holds for every K ≥ 2 and every class (mlederive.verification.classes)
    return [dataclasses.replace(c, label="%s (any K)" % c.label) if c.kind != "fact" else c for c in cx.out]
