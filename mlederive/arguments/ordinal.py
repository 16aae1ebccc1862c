"""Ordinal regression: the cumulative-logit (proportional-odds) model over K ordered classes, cut-points learned beside θ.

A latent y* = η + ε with ε logistic is cut at c_1 < … < c_{K−1}: y = k when c_{k−1} < y* ≤ c_k (c_0 = −∞, c_K = ∞),
so P(y ≤ k) = σ(c_k − η) and P(y = k) = σ(c_k − η) − σ(c_{k−1} − η) (McCullagh, 1980). With the indicators 1[y = k]
the row's log-likelihood is Σ_k 1[y = k]·log P(y = k); its negative is the loss, and its gradient in η is, for
the observed class k, 1 − σ(c_k − η) − σ(c_{k−1} − η) (σ' = σ(1 − σ) makes the ratio collapse). The cut-points are
learned with θ, kept in order as statsmodels' OrderedModel keeps them: c_1 free, each next one the last plus e^{a_j}.
Every identity is checked in each of the K cases of y (the indicators' case split).
"""
from __future__ import annotations

import sympy as sp

from .. import symbolic as S
from ..documents import Argument, Result, Step
from ..prose import prose
from ..relations import Differentiation, Negation, Substituted
from .kinds import ArgumentKind, Option, integer

y_i, eta_i = S.y[S.i], S.eta[S.i]


def cuts(classes: int):
    return [sp.Symbol("c_%d" % j, real=True) for j in range(1, classes)]


def cumulative(c, k, classes):
    """P(y ≤ k) = σ(c_k − η): 0 below the first class, 1 at the last."""
    if k <= 0:
        return sp.S.Zero
    if k >= classes:
        return sp.S.One
    return S.sigmoid(c[k - 1] - eta_i)


class OrdinalLogit(ArgumentKind):
    kind = "ordinal-logit"
    summary = "K ordered classes, cumulative logit: the proportional-odds NLL, its gradient in η and in the cut-points"
    options = {"classes": Option(4, "K, the number of ordered classes", integer(3, 8))}

    def build(self, recipe):
        classes = recipe.options["classes"]
        c = cuts(classes)
        ks = range(1, classes + 1)
        flag = {k: sp.KroneckerDelta(y_i, k) for k in ks}
        prob = {k: cumulative(c, k, classes) - cumulative(c, k - 1, classes) for k in ks}
        loglik = sp.Add(*[flag[k] * sp.log(prob[k]) for k in ks])
        # shown class by class, 1 to K (SymPy's own order mixes them); proved equal like any display form
        in_order = {"loglik": sp.Add(*[sp.Mul(flag[k], sp.log(prob[k]), evaluate=False) for k in ks], evaluate=False),
                    "nll": sp.Mul(-1, sp.Add(*[sp.Mul(flag[k], sp.log(prob[k]), evaluate=False) for k in ks],
                                             evaluate=False), evaluate=False)}
        nll = -loglik
        grad = sp.Add(*[flag[k] * (1 - cumulative(c, k, classes) - cumulative(c, k - 1, classes)) for k in ks])
        in_order["grad"] = sp.Add(*[sp.Mul(flag[k], 1 - cumulative(c, k, classes) - cumulative(c, k - 1, classes),
                                           evaluate=False) for k in ks], evaluate=False)
        a = [sp.Symbol("a_%d" % j, real=True) for j in range(2, classes)]
        spelled = {c[j]: c[0] + sp.Add(*[sp.exp(a[m - 1]) for m in range(1, j + 1)]) for j in range(1, classes - 1)}
        steps = [
            Step("Cumulative probabilities", "A latent $y^* = η_i + ε$ with a logistic $ε$ is cut at $c_1 < … < "
                 "c_{K−1}$: $y_i ≤ k$ exactly when $y^* ≤ c_k$, which has probability $σ(c_k − η_i)$ — the same "
                 "$η_i$ for every $k$ (proportional odds).", "P(y_i ≤ k)", r"P(y_i \le k)",
                 S.sigmoid(sp.Symbol("c_k", real=True) - eta_i), "definition"),
            Step("The row's log-likelihood", "Class $k$ has probability $σ(c_k − η_i) − σ(c_{k−1} − η_i)$ "
                 "($σ(c_0 − η) = 0$, $σ(c_K − η) = 1$); the indicator $1[y_i = k]$ picks the observed one, "
                 "here for $K = %d$." % classes, "log p(y_i | η_i)", r"\log p(y_i \mid \eta_i)", loglik,
                 "definition", display=in_order["loglik"]),
            Step("Negate: the loss", "The proportional-odds negative log-likelihood of the row.", "ℓ_i",
                 r"\ell_i", nll, "negated", payload=Negation(), display=in_order["nll"]),
            Step("Gradient in $η_i$", "For the observed class $k$, $∂/∂η_i$ of $−log(σ(a) − σ(b))$ with "
                 "$a = c_k − η_i$, $b = c_{k−1} − η_i$ is $(σ'(a) − σ'(b))/(σ(a) − σ(b))$; with $σ' = σ(1 − σ)$ "
                 "this is $1 − σ(a) − σ(b)$: the gradient is $1 − σ(c_k − η_i) − σ(c_{k−1} − η_i)$.",
                 "∂ℓ_i/∂η_i", r"\frac{\partial \ell_i}{\partial \eta_i}", grad, "derivative",
                 payload=Differentiation(wrt=eta_i), reference="step-3", display=in_order["grad"]),
            Step("Gradient in the first cut-point", "The cut-points are learned with $θ$: $c_1$ moves the boundary "
                 "between classes 1 and 2, so only those rows feel it.", "∂ℓ_i/∂c_1", r"\frac{\partial \ell_i}{\partial c_1}",
                 sp.diff(nll, c[0]), "derivative", payload=Differentiation(wrt=c[0]), reference="step-3"),
            Step("Cut-points kept in order", "Learned as statsmodels' OrderedModel learns them: $c_1$ free and each "
                 "next cut-point the previous one plus $e^{a_j}$, so $c_1 < … < c_{K−1}$ for any real $a_j$ and "
                 "every class probability is positive.", "ℓ_i", r"\ell_i", nll.xreplace(spelled), "substitution",
                 payload=Substituted(subs=spelled), reference="step-3"),
        ]
        results = [Result("The proportional-odds loss ($K = %d$)" % classes, "ℓ_i", r"\ell_i", nll),
                   Result("… and its gradient in $η_i$", "∂ℓ_i/∂η_i", r"\frac{\partial \ell_i}{\partial \eta_i}",
                          grad)]
        return Argument(recipe, prose("$K = %d$ ordered classes, a cumulative logit with learned cut-points" % classes),
                        steps, results, json={"classes": classes, "cut_points": [str(s) for s in c]})

