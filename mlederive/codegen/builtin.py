"""PyTorch's built-in losses in generated code: called only where the derivation's loss is proved equal to one.

A built-in computes its documented formula (:class:`~mlederive.libraries.BuiltinLoss`) with PyTorch's own forward
and backward. Where the loss the derivation arrives at is a positive constant times that formula on η — BCE with
logits under the logit link, the cross-entropy under the softmax, the Poisson NLL under the log link, the squared
and absolute errors under the identity — the PyTorch module calls it, and the equality is one more step of the
forms' document, checked by the verifier like any other (``mlederive codegen … --target pytorch --explain``).
A candidate the verifier does not prove is not used: the module then computes the derivation's own form.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, replace

import sympy as sp

from .. import symbolic as S
from ..documents import StepBuilder
from ..libraries import TORCH, TorchLoss
from ..prose import prose

#: the points a candidate factor is read at and checked at (η, y), before the verifier proves it
_POINTS = ((0.37, 1.0), (-1.3, 0.0), (2.1, 3.0), (0.05, 0.25))


@dataclass(frozen=True)
class Builtin:
    """The built-in the module calls: ℓ_i = factor · loss(η_i, y_i), a verified step."""

    loss: TorchLoss
    factor: sp.Expr


def _candidates(link_name: str) -> list[TorchLoss]:
    """The exact built-ins that take η itself under this link (the identity: any that takes the mean)."""
    return [loss for losses in TORCH.values() for loss in losses if loss.formula is not None
            and (loss.applies == link_name or loss.applies is None and link_name == "identity")]


def _factor(loss_expr: sp.Expr, formula: sp.Expr, params) -> sp.Expr | None:
    """c with loss = c · formula at every test point (parameters at 0.7), a simple rational; else None."""
    at = {p: sp.Float(0.7) for p in params}
    written = S.expand_functions(formula)
    indexed = set().union(*(a.free_symbols for a in written.atoms(sp.Indexed)))
    if written.free_symbols - indexed - set(params):
        return None  # the built-in needs a parameter the model does not have (HuberLoss's δ for a Laplace)
    values = []
    for eta, y in _POINTS:
        point = {S.eta[S.i]: sp.Float(eta), S.y[S.i]: sp.Float(y), **at}
        a, b = (S.expand_functions(e).xreplace(point).evalf(30) for e in (loss_expr, formula))
        if not (a.is_real and b.is_real):
            return None
        values.append((float(a), float(b)))
    nonzero = [(a, b) for a, b in values if abs(b) > 1e-9]
    if not nonzero:
        return None
    c = sp.nsimplify(nonzero[0][0] / nonzero[0][1], rational=True, tolerance=1e-12)
    if not c.is_positive or sp.denom(c) > 100:
        return None
    ok = all(math.isclose(a, float(c) * b, rel_tol=1e-9, abs_tol=1e-12) for a, b in values)
    return c if ok else None


def _why(loss: TorchLoss, factor, one_hot: bool):
    """What the built-in computes (its documented formula) and how the loss stands to it."""
    name = loss.formula.__name__
    how = "exactly" if factor == 1 else prose("$%s$ times", factor)
    if one_hot:
        return prose("PyTorch's `torch.nn.%s` computes −Σₖ tₖ·log softmaxₖ(x) for one row of logits x and its one-hot "
                     "target t (its documented formula): the loss is %s that function of $η_i$ and $y_i$, since "
                     "$y_i$'s entries sum to 1; so the module calls it.", name, how)
    x, t = sp.Symbol("x", real=True), sp.Symbol("t", real=True)
    return prose("PyTorch's `torch.nn.%s` computes $%s$ for one element x and its target t (its documented formula): "
                 "the loss is %s that function of $η_i$ and $y_i$, so the module calls it.", name,
                 loss.formula(x, t).shown(), how)


def torch_builtin(f):
    """(forms, Builtin or None): ``f`` with the step ℓ_i = c · built-in(η_i, y_i) appended and verified where one
    is proved equal, else ``f`` as it is."""
    from ..verification import check_step

    d = f.document
    model = d.model
    for loss in _candidates(model.link.name):
        if loss.formula.one_hot != model.one_hot:
            continue
        if model.one_hot:
            formula, factor = loss.formula(S.eta, S.i), sp.S.One  # Σ_k y_ik = 1 is what the verifier uses
        else:
            formula = loss.formula(S.eta[S.i], S.y[S.i])
            factor = _factor(f.loss, formula, set(model.params.values()))
            if factor is None:
                continue
        b = StepBuilder()
        b.steps = list(d.steps)
        ref = next(s for s in reversed(d.steps) if s.id in ("stable-loss", "objective", "loss", "negate"))
        step = b.add("The loss as PyTorch computes it", _why(loss, factor, model.one_hot),
            "Σ ℓ_i", r"\sum_i \ell_i", S.sample_sum(factor * formula), "equal", id="torch-builtin", reference=ref)
        extended = replace(d, steps=b.steps, checks=list(d.checks))
        check = check_step(extended, step)
        if check.verified:
            return replace(f, document=replace(extended, checks=list(d.checks) + [check])), Builtin(loss, factor)
    return f, None
