"""The registry of claim builders and what every builder uses: :func:`claims` registers one, :class:`Context` is what
it sees, and the helpers take an objective apart (one observation's term, one weight's term, the prior's part).

The builder modules import this module, never the package, so the package can import them without a circle.
"""
from __future__ import annotations

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


def _family_moment(model, function, value):
    """The family's own moment (m(y_i), E[m(y_i)]) in μ_i and the other parameters' values, of which (function, value)
    is the instance at μ_i = g⁻¹(η_i) (σ_i = g_σ⁻¹(η_σ,i) …) — literally, after the substitution — or None."""
    if model.one_hot:
        return None
    back, mu_i = model.inverses(), model.mu_obs()
    for f, v in model.family.moments(model.y_obs(), mu_i, model.values()) or ():
        if f.xreplace(back) == function and v.xreplace(back) == value:
            # μ_i as positive as the family's means are (SymPy integrates y^k·e^{−(y/λ)^k} only for λ > 0)
            positive = model.family.mean_domain.is_subset(sp.Interval.open(0, sp.oo))
            put = {mu_i: sp.IndexedBase(sp.Symbol(mu_i.base.label.name, positive=True))[mu_i.indices]} \
                if positive else {}
            return f.xreplace(put), v.xreplace(put), model.density().xreplace(put)
    return None


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

    def moment(self, function, value, label):
        """E[function(y_i)] = value under the model's density at every parameter (the predicted ones through their
        links): integrated (or summed) symbolically where SymPy can, else by 40-digit quadrature at sampled points.
        Where it is the family's moment at μ_i = g⁻¹(η_i), the claim is the family's, for every μ_i: one claim for
        all of a family's links (mlederive.verification.expectations proves it once per process)."""
        m = self.model
        t = sp.Symbol("_t", **({"integer": True, "nonnegative": True} if m.family.discrete else {"real": True}))
        lifted = _family_moment(m, function, value)
        if lifted is None:
            density = m.density().xreplace(m.inverses()).xreplace({m.y_obs(): t})
        else:  # the same claim for every μ_i (and σ_i …), so for every link: μ_i = g⁻¹(η_i) is one of them
            function, value, density = lifted
            density = density.xreplace({m.y_obs(): t})
        support = m.family.support
        low, high = (support.inf, support.sup)
        kind = sp.Sum if m.family.discrete else sp.Integral
        expectation = kind(function.xreplace({m.y_obs(): t}) * density, (t, low, high))
        self.out.append(Claim("moment", sp.Tuple(value, expectation), label))

    def fact(self, holds: bool, label: str):
        """Already decided by exact or IEEE arithmetic."""
        self.out.append(Claim("fact", bool(holds), label))

    # concrete forms (a model's K, the one-hot constraint, n written out)
    def concrete(self, expr, **kw):
        """The concrete form every data claim is made on: K fixed, sums written out, and a stable form's
        primitives written out by their definitions (so a derivative of one never rests on our fdiff)."""
        return self.model.concretize(expand_primitives(expr), **kw)

    def theta_instance(self):
        """A concrete predictor for the checks of ∂η/∂θ itself (two logits of their own for a one-hot model: what is
        checked is one logit's weights, whatever K)."""
        return self.model.predictor.concrete(UNROLL_SIZE, (self.model.classes or 2) if self.model.one_hot else None)


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
