"""The focal loss is no likelihood: its normaliser over y ∈ {0, 1} moves with p, for every scale and base weight.

The focal loss of a binary label (Lin et al., 2017) is ℓ_γ(y, p) = −y(1 − p)^γ log p − (1 − y) p^γ log(1 − p),
−(1 − p_t)^γ log p_t with p_t the probability of the true label. If it were −log of a model of y up to a positive
factor 1/c and a θ-free term, the model would be h(y)·e^{−c·ℓ_γ}/Z(p) with Z(p) = Σ_y h(y) e^{−c·ℓ_γ(y, p)} free of
p. Z tends to h(0) as p → 0 and to h(1) as p → 1, so a p-free Z would be h(0) = h(1) = h everywhere; at p = 1/2,
Z/h = 2^{1 − c/2^γ} is 1 only at c = 2^γ, and there Z(9/10)/h ≠ 1. So no c > 0 and no weights h work: for γ > 0 the
focal loss is a reweighting of the BCE's terms, not an assumption about y. At γ = 0 it is the BCE, and Z = 1.
"""
from __future__ import annotations

import sympy as sp

from ..documents import Argument, Result, Step, Table
from ..prose import prose
from ..relations import Difference, Differentiation, Limit, Substituted
from .kinds import ArgumentKind, Option, number

y = sp.Symbol("y", integer=True, nonnegative=True)
p = sp.Symbol("p", positive=True)
q = sp.Symbol("q", positive=True)
g = sp.Symbol("gamma", nonnegative=True)
c = sp.Symbol("c", positive=True)
h, h0, h1 = (sp.Symbol(name, positive=True) for name in ("h", "h_0", "h_1"))


def _gamma(value):
    v = number(value)
    if not 0 < v <= 10:
        raise ValueError("must be a number above 0 and at most 10 (γ = 0 is the BCE, shown in every document)")
    return v


def focal(gamma):
    return -y * (1 - p) ** gamma * sp.log(p) - (1 - y) * p ** gamma * sp.log(1 - p)


class FocalLoss(ArgumentKind):
    kind = "focal-loss"
    summary = "the focal loss is no negative log-likelihood: its normaliser over y depends on p (any scale, any weights)"
    options = {"gamma": Option(2, "the focusing parameter γ > 0", _gamma)}

    def build(self, recipe):
        gv = sp.Rational(recipe.options["gamma"])
        ell = focal(gv)
        terms = h0 * sp.exp(-c * ell.subs(y, 0)) + h1 * sp.exp(-c * ell.subs(y, 1))
        written = h0 * (1 - p) ** (c * p ** gv) + h1 * p ** (c * (1 - p) ** gv)
        at_half = 2 * h * 2 ** (-c / 2 ** gv)
        ratio = written.subs({h0: 1, h1: 1})
        counter = {c: 2 ** gv, p: sp.Rational(9, 10)}
        steps = [
            Step("The focal loss", "For a label $y ∈ {0, 1}$ and the predicted $p = P(y = 1)$: $−(1 − p_t)^γ log p_t$ "
                 "with $p_t$ the probability of the true label. Where the model is already right, $(1 − p_t)^γ$ is "
                 "small and the observation counts little.", "ℓ_γ(y, p)", r"\ell_\gamma(y, p)", focal(g),
                 "definition"),
            Step("At $γ = 0$", "The weight is 1: the binary cross-entropy, the negative log-likelihood of the "
                 "Bernoulli law (its normaliser is $p + (1 − p) = 1$).", "ℓ_0(y, p)", r"\ell_0(y, p)",
                 -y * sp.log(p) - (1 - y) * sp.log(1 - p), "substitution", payload=Substituted(subs={g: 0})),
            Step("At $γ = %s$" % gv, "The recipe's focusing parameter.", "ℓ_γ(y, p)", r"\ell_\gamma(y, p)", ell,
                 "substitution", payload=Substituted(subs={g: gv}), reference="step-1"),
            Step("The normaliser it would need", "If $ℓ_γ$ were $−(1/c)·log$ of a model of $y$ up to terms free of "
                 "$p$, the model would be $h(y)·e^{−cℓ_γ(y, p)}/Z(p)$ for some scale $c > 0$ and weights "
                 "$h(0) = h_0 > 0$, $h(1) = h_1 > 0$; its normaliser $Z(p) = Σ_{y ∈ {0, 1}} h(y)·e^{−cℓ_γ(y, p)}$ "
                 "must be free of $p$.", "Z(p)", "Z(p)",
                 terms, "definition"),
            Step("As powers", "$e^{a log b} = b^a$.", "Z(p)", "Z(p)", written, "equal"),
            Step("$p → 0$", "$p^{c(1−p)^γ} → 0$ since $c > 0$, and $(1 − p)^{cp^γ} → 1$.", "lim_{p→0} Z(p)",
                 r"\lim_{p \to 0} Z(p)", h0, "limit", payload=Limit(function=written, var=p, point=0)),
            Step("$p → 1$", "Put $p = 1 − q$ and let $q → 0$.", "lim_{p→1} Z(p)", r"\lim_{p \to 1} Z(p)", h1,
                 "limit", payload=Limit(function=written.subs(p, 1 - q), var=q, point=0), reference="step-5"),
            Step("At $p = 1/2$", "A normaliser free of $p$ equals both limits: $h_0 = h_1 = h$, and $Z = h$ "
                 "everywhere. At $p = 1/2$:", "Z(1/2)", r"Z(\tfrac{1}{2})", at_half, "substitution",
                 payload=Substituted(subs={p: sp.Rational(1, 2), h0: h, h1: h}), reference="step-5"),
            Step("Decreasing in $c$", "$Z(1/2)/h = 2^{1 − c/2^γ}$ falls as $c$ grows, so it is 1 at one scale only, "
                 "$c = 2^γ = %s$." % (2 ** gv), "∂(Z(1/2)/h)/∂c", r"\frac{\partial}{\partial c}\frac{Z(1/2)}{h}",
                 sp.diff(at_half / h, c), "derivative", payload=Differentiation(wrt=c, function=at_half / h)),
            Step("… and there it moves", "At $c = %s$ and $p = 9/10$, with $h_0 = h_1$: $%.6f$, not 1. No scale $c$ "
                 "and no weights $h$ make $Z$ free of $p$." % (2 ** gv, float(sp.N(ratio.subs(counter), 30))), "Z(9/10)/h", r"Z(\tfrac{9}{10})/h",
                 ratio.subs(counter), "differs", payload=Difference(other=sp.S.One, value_of=ratio, subs=counter),
                 reference="step-5"),
            Step("What it is instead: $y = 1$", "The BCE's term $−log p$ weighted by $(1 − p)^γ$, a weight that "
                 "depends on the prediction.", "ℓ_γ(1, p)", r"\ell_\gamma(1, p)", -(1 - p) ** gv * sp.log(p),
                 "substitution", payload=Substituted(subs={y: 1}), reference="step-3"),
            Step("… and $y = 0$", "The BCE's term $−log(1 − p)$ weighted by $p^γ$.", "ℓ_γ(0, p)", r"\ell_\gamma(0, p)",
                 -p ** gv * sp.log(1 - p), "substitution", payload=Substituted(subs={y: 0}), reference="step-3"),
        ]
        rows = tuple(("%g" % float(pv), "%.6f" % float(sp.N(ratio.subs({c: 1, p: pv}), 20)),
                      "%.6f" % float(sp.N(ratio.subs({c: 2 ** gv, p: pv}), 20)))
                     for pv in (sp.Rational(1, 100), sp.Rational(1, 10), sp.Rational(1, 4), sp.Rational(1, 2),
                                sp.Rational(3, 4), sp.Rational(9, 10), sp.Rational(99, 100)))
        table = Table("$Z(p)$ with $h_0 = h_1 = 1$: a normaliser that moves with $p$ ($γ = %s$)" % gv,
                      ("$p$", "$c = 1$", "$c = %s$" % (2 ** gv)), rows)
        results = [Result("For $γ > 0$ the focal loss is no negative log-likelihood of $y$: $Z(9/10)/h ≠ 1$ at the "
                          "only scale where $Z(1/2) = h$", "Z(9/10)/h", r"Z(\tfrac{9}{10})/h", ratio.subs(counter)),
                   Result("It reweights the BCE's terms by $(1 − p_t)^γ$; at $γ = 0$ it is the BCE", "ℓ_0(y, p)",
                          r"\ell_0(y, p)", -y * sp.log(p) - (1 - y) * sp.log(1 - p))]
        return Argument(recipe, prose("a label $y ∈ {0, 1}$, $p = P(y = 1)$, $γ = %s$" % gv), steps, results, [table],
                        json={"gamma": float(gv), "likelihood": False,
                              "normaliser_at_9_10": float(sp.N(ratio.subs(counter), 30)),
                              "normaliser_c1": {r[0]: float(r[1]) for r in rows}})

