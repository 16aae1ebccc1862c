"""Multilabel classification: L independent Bernoulli labels, each with its own logit — the BCE summed over labels.

Each row has L yes/no labels y_i1, …, y_iL (a multi-hot vector: any number of them may be 1, unlike a one-hot
class). Assuming them independent given x_i, each Bernoulli with P(y_il = 1) = σ(η_il), the row's log-likelihood is
the sum of the labels' and its negative is the binary cross-entropy summed over the labels — PyTorch's
``BCEWithLogitsLoss`` on a multi-hot target (summed over labels), ``MultiLabelSoftMarginLoss`` (averaged). Every
step is proved summand by summand, so for every L; the gradient in one label's logit is σ(η_ik) − y_ik, the other
labels' terms having no η_ik in them.
"""
from __future__ import annotations

import sympy as sp

from .. import symbolic as S
from ..documents import Argument, Result, Step
from ..prose import prose
from ..relations import Differentiation, Equality, Negation
from .kinds import ArgumentKind, Option, integer

L = sp.Symbol("L", integer=True, positive=True)
l = sp.Idx("l")  # noqa: E741  (the label index, as the texts write it)
k = sp.Idx("k")
y = sp.IndexedBase("y", nonnegative=True)
eta = sp.IndexedBase("eta", real=True)


def _label(index):
    """One label's Bernoulli log-density at index: y log σ(η) + (1 − y) log(1 − σ(η))."""
    return y[index] * sp.log(S.sigmoid(eta[index])) + (1 - y[index]) * sp.log(1 - S.sigmoid(eta[index]))


class MultilabelBernoulli(ArgumentKind):
    kind = "multilabel-bernoulli"
    summary = "L independent Bernoulli labels with their own logits: the BCE summed over the labels (any L)"
    options = {"labels": Option(3, "L for the example (every step holds for any L)", integer(2, 1000))}

    def build(self, recipe):
        lv = recipe.options["labels"]
        density = S.sigmoid(eta[l]) ** y[l] * (1 - S.sigmoid(eta[l])) ** (1 - y[l])
        loglik = sp.Sum(sp.log(density), (l, 1, L))
        expanded = sp.Sum(_label(l), (l, 1, L))
        nll = sp.Sum(-_label(l), (l, 1, L))
        where = {L: lv}
        steps = [
            Step("One label", "Label $l$ of row $i$ (the row index is left out) is 1 with probability $σ(η_l)$, the "
                 "logistic function of its own logit $η_l$: a Bernoulli law.", "p(y_l | η_l)",
                 r"p(y_l \mid \eta_l)", density, "definition"),
            Step("Independent labels", "Given $x_i$ the $L$ labels are assumed independent: the row's likelihood "
                 "is the product of the labels', and its log the sum of their logs. (Any number of labels may be "
                 "1: a multi-hot vector, not a one-hot class — for one class out of $K$, see `categorical-softmax`.)",
                 "log p(y | η)", r"\log p(\mathbf{y} \mid \boldsymbol{\eta})", loglik, "definition"),
            Step("Expand each log", "$log(a^b c^d) = b log a + d log c$, label by label.", "log p(y | η)",
                 r"\log p(\mathbf{y} \mid \boldsymbol{\eta})", expanded, "equal", payload=Equality(concrete=where)),
            Step("Negate: the loss", "The negative log-likelihood of the row: the binary cross-entropy of each "
                 "label, summed over the labels.", "ℓ(y, η)", r"\ell(\mathbf{y}, \boldsymbol{\eta})", nll,
                 "negated", payload=Negation(concrete=where)),
            Step("Gradient in one logit", "Only label $k$'s term has $η_k$ in it, and $dσ/dη = σ(1 − σ)$: the "
                 "gradient is the label's own $σ(η_k) − y_k$, as for a single Bernoulli label.", "∂ℓ/∂η_k",
                 r"\frac{\partial \ell}{\partial \eta_k}", S.sigmoid(eta[k]) - y[k], "derivative",
                 payload=Differentiation(wrt=eta[k], function=nll)),
        ]
        results = [Result("The multilabel loss: the BCE summed over the $L$ labels", "ℓ(y, η)",
                          r"\ell(\mathbf{y}, \boldsymbol{\eta})", nll),
                   Result("… and its gradient, label by label", "∂ℓ/∂η_k", r"\frac{\partial \ell}{\partial \eta_k}",
                          S.sigmoid(eta[k]) - y[k])]
        return Argument(recipe, prose("$L$ yes/no labels per row, each with its own logit; every step for any $L$"),
                        steps, results, json={"labels": lv})
