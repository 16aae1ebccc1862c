"""Label smoothing is the negative log-likelihood plus a penalty that pulls p toward uniform (any K).

Cross-entropy against the smoothed target q = (1 − ε)·one-hot(y) + ε/K (Szegedy et al., 2016; PyTorch's
``cross_entropy(..., label_smoothing=ε)``) splits into (1 − ε)·NLL + ε·CE(u, p), with u the uniform distribution over
the K classes, and CE(u, p) = D_KL(u ‖ p) + log K. Each step is proved summand by summand, so for every K. The loss is
not the likelihood of another model of y: it is the categorical likelihood with a penalty, and its minimiser keeps
p_y below 1 — the logits stay finite (the table's numbers, exact).
"""
from __future__ import annotations

import sympy as sp

from ..documents import Argument, Result, Step, Table
from ..prose import prose
from ..relations import Equality, Evaluation
from .kinds import ArgumentKind, Option, integer, number

K = sp.Symbol("K", integer=True, positive=True)
k = sp.Idx("k")
eps = sp.Symbol("epsilon", positive=True)
p = sp.IndexedBase("p", positive=True)
yk = sp.IndexedBase("y", nonnegative=True)  # the one-hot label: y_k = 1 for the observed class, 0 otherwise


def _epsilon(value):
    v = number(value)
    if not 0 < v < 1:
        raise ValueError("must be strictly between 0 and 1, got %s" % value)
    return v


def S(body):
    return sp.Sum(body, (k, 1, K))


class LabelSmoothing(ArgumentKind):
    kind = "label-smoothing"
    summary = "cross-entropy on smoothed labels = (1 − ε)·NLL + ε·CE(uniform, p): a penalty toward uniform (any K)"
    options = {
        "epsilon": Option("1/10", "the smoothing ε in (0, 1)", _epsilon),
        "classes": Option(10, "K for the numbers (the identities hold for any K)", integer(2, 1000)),
    }

    def build(self, recipe):
        ev, kv = sp.Rational(recipe.options["epsilon"]), recipe.options["classes"]
        q = (1 - eps) * yk[k] + eps / K
        smoothed = -S(q * sp.log(p[k]))
        split = -(1 - eps) * S(yk[k] * sp.log(p[k])) - eps * S(sp.log(p[k]) / K)
        kl_form = -(1 - eps) * S(yk[k] * sp.log(p[k])) + eps * (S(sp.log(1 / (K * p[k])) / K) + sp.log(K))
        top = 1 - eps + eps / K
        gap = sp.log(top / (eps / K))
        numbers = {eps: ev, K: kv}
        where = {K: 3}
        steps = [
            Step("The smoothed target", "The label $y$ in one-hot form ($y_k = 1$ for the observed class, 0 for the "
                 "others) mixed with the uniform distribution over the $K$ classes: weight $1 − ε$ on the label, "
                 "$ε/K$ on every class.", "q_k", "q_k", q, "definition"),
            Step("Cross-entropy against it", "What is minimised: $−Σ_k q_k log p_k$ for the predicted "
                 "probabilities $p_k$ (softmax of the logits).", "CE(q, p)", r"\mathrm{CE}(q, p)", smoothed,
                 "definition"),
            Step("Split the target", "$q_k$ is a sum of two terms; so is the cross-entropy: $(1 − ε)$ times the "
                 "negative log-likelihood $−log p_y$ (that is, $−Σ_k y_k log p_k$), plus $ε$ times the "
                 "cross-entropy $−(1/K)Σ_k log p_k$ of the uniform distribution $u$ against $p$.",
                 "CE(q, p)", r"\mathrm{CE}(q, p)", split, "equal", payload=Equality(concrete=where)),
            Step("The penalty is a divergence", "$CE(u, p) = D_KL(u ‖ p) + log K$: the cross-entropy of $u$ is its "
                 "divergence from $p$ plus its entropy $log K$, a constant. So the smoothed loss is the negative "
                 "log-likelihood, weighted $1 − ε$, plus $ε·D_KL(u ‖ p)$, which pulls $p$ toward uniform.",
                 "CE(q, p)", r"\mathrm{CE}(q, p)", kl_form, "equal"),
            Step("Its minimiser", "By Gibbs' inequality the cross-entropy $CE(q, p)$ is least at $p = q$: "
                 "$p_y = 1 − ε + ε/K$ and $ε/K$ for each other class. The logits' gap $log(p_y/p_k)$ there is "
                 "finite — plain cross-entropy ($ε = 0$) pushes it to infinity. At the recipe's $ε$ and $K$:",
                 "log(p_y/p_k)", r"\log(p_y / p_k)", gap.subs(numbers), "evaluated",
                 payload=Evaluation(decimals={"nats": (float(sp.N(gap.subs(numbers), 30)), 1)}, standalone=True,
                                    value_of=gap, subs=numbers)),
        ]
        rows = []
        for e in (sp.Rational(1, 100), sp.Rational(1, 20), sp.Rational(1, 10), sp.Rational(1, 5)):
            values = {eps: e, K: kv}
            rows.append(("%g" % float(e), "%.6f" % float(sp.N(top.subs(values), 20)), "%.4f" % float(sp.N(gap.subs(values), 20))))
        table = Table("The minimiser for $K = %d$: the probability of the label and the logits' gap (at $ε = 0$: 1 "
                      "and $∞$)" % kv,
                      ("$ε$", "$p_y$ at the minimum", "$log(p_y/p_k)$"), tuple(rows))
        results = [Result("Label smoothing is the NLL weighted $1 − ε$ plus $ε·CE(u, p)$, for every $K$",
                          "CE(q, p)", r"\mathrm{CE}(q, p)", split),
                   Result("… whose minimiser keeps the logits' gap finite ($ε = %s$, $K = %d$)" % (ev, kv),
                          "log(p_y/p_k)", r"\log(p_y / p_k)", gap.subs(numbers))]
        return Argument(recipe, prose("$K$ classes, smoothing $ε$; every identity for any $K$"), steps, results, [table],
                        json={"epsilon": float(ev), "classes": kv, "p_label_at_minimum": float(sp.N(top.subs(numbers))),
                              "logit_gap": float(sp.N(gap.subs(numbers), 30))})
