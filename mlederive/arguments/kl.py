"""MLE ≡ min KL ≡ min cross-entropy, on a discrete distribution over K outcomes.

D_KL(p ‖ q_θ) = −H(p) + H(p, q_θ); the entropy does not depend on θ, so
minimising the KL divergence is minimising the cross-entropy; with the
empirical distribution of a sample, the cross-entropy is the mean negative
log-likelihood, and the 1/n does not move the argmin. Every step holds for any
K and any sample size n: the counting step Σ_k f(k)·c_k = Σ_i f(y_i) is proved
as the identity it is, the recipe's sample only illustrates it. Finally D_KL
is shown not to be symmetric on the recipe's two distributions.
"""
from __future__ import annotations

import sympy as sp

from ..documents import Argument, Result, Step
from ..prose import prose
from ..relations import (
    Difference,
    Dropped,
    Equality,
    Evaluation,
    Rescaling,
    Substituted,
)
from .kinds import ArgumentKind, Option, distribution, integer, integers

K = sp.Symbol("K", integer=True, positive=True)
n = sp.Symbol("n", integer=True, positive=True)
k = sp.Idx("k")
i = sp.Idx("i")
theta = sp.Symbol("theta", real=True)
p = sp.IndexedBase("p", positive=True)
c = sp.IndexedBase("c", nonnegative=True, integer=True)  # counts n_k
y = sp.IndexedBase("y", positive=True, integer=True)


class q_theta(sp.Function):
    r"""The model's probability of outcome ``k``: :math:`q_\theta(k)`, any differentiable function of θ."""

    is_positive = True
    #: the verifier's numeric fallback gives each q_θ(k) its own value in (0, 1)
    opaque = True

    @classmethod
    def eval(cls, outcome):
        return None

    @property
    def free_symbols(self):
        # θ is not an argument, but q_θ depends on it: without this, d/dθ of a sum of log q_θ(k) is 0
        # (SymPy skips a derivative in a symbol the sum does not contain) and "θ-free" proves nothing
        return super().free_symbols | {theta}

    def _latex(self, printer, exp=None):
        base = r"q_{\theta}\left(%s\right)" % printer._print(self.args[0])
        return base if exp is None else r"%s^{%s}" % (base, exp)

    def _sympystr(self, printer):
        return "q_θ(%s)" % printer._print(self.args[0])

    def _prose(self, printer):
        return "q_θ(%s)" % printer._print(self.args[0])

    def _mathml_presentation(self, printer):
        dom = printer.dom
        name = dom.createElement("msub")
        for tag, text in (("mi", "q"), ("mi", "θ")):
            node = dom.createElement(tag)
            node.appendChild(dom.createTextNode(text))
            name.appendChild(node)
        row = dom.createElement("mrow")
        row.appendChild(name)
        for part in ("(", None, ")"):
            if part is None:
                row.appendChild(printer._print(self.args[0]))
            else:
                fence = dom.createElement("mo")
                fence.setAttribute("stretchy", "false")  # stretched around y_i's subscript, they stand apart
                fence.appendChild(dom.createTextNode(part))
                row.appendChild(fence)
        return row

    def _pretty(self, printer):
        from sympy.printing.pretty.stringpict import prettyForm

        return prettyForm("q_θ(%s)" % printer._print(self.args[0]))

    def fdiff(self, argindex=1):
        raise sp.ArgumentIndexError(self, argindex)

    def _eval_derivative(self, s):
        # q_θ(k) depends on θ and on nothing else a derivation differentiates by
        return sp.Derivative(self, s) if s == theta else sp.S.Zero


def kl(a, b):
    """D_KL(a ‖ b) for two concrete distributions, from the definition."""
    return sp.Add(*[ai * sp.log(ai / bi) for ai, bi in zip(a, b)])


def kl_definition(a, b) -> tuple[sp.Expr, dict]:
    """(Σ_j a_j log(a_j/b_j) in symbols, the numbers of a and b for them): what a stated D_KL(a ‖ b) is."""
    sa = [sp.Symbol("a_%d" % j, positive=True) for j in range(1, len(a) + 1)]
    sb = [sp.Symbol("b_%d" % j, positive=True) for j in range(1, len(b) + 1)]
    numbers = {**dict(zip(sa, map(sp.Rational, a))), **dict(zip(sb, map(sp.Rational, b)))}
    return kl(sa, sb), numbers


class KLMLEEquivalence(ArgumentKind):
    kind = "kl-mle-equivalence"
    summary = "min_θ D_KL(p‖q_θ) = min_θ H(p, q_θ) = max_θ log-likelihood; D_KL is not symmetric"
    options = {
        "classes": Option(4, "K of the example sample (the steps hold for any K)", integer(2, 8)),
        "sample": Option([1, 3, 3, 2, 1, 4], "an example sample of outcomes in 1..K, counted in the counting step",
                         integers(1, 8, 12)),
        "p": Option(["1/2", "1/2"], "a distribution for the asymmetry example", distribution),
        "q": Option(["1/3", "2/3"], "a second distribution, same length", distribution),
    }

    def build(self, recipe):
        o = recipe.options
        if len(o["p"]) != len(o["q"]):
            from ..errors import RecipeError

            raise RecipeError(recipe.source, "q", "must have as many outcomes as p (%d), got %d."
                              % (len(o["p"]), len(o["q"])))
        classes = o["classes"]
        if max(o["sample"]) > classes:
            from ..errors import RecipeError

            raise RecipeError(recipe.source, "sample", "outcomes must lie in 1..classes (%d)." % classes)
        example = "y = (%s)" % ", ".join(map(str, o["sample"]))
        counted = ", ".join("c_%d = %d" % (kk, o["sample"].count(kk)) for kk in range(1, classes + 1))
        q = q_theta(k)

        def S(body, index=k, upper=K):
            return sp.Sum(body, (index, 1, upper))

        kl_def = S(p[k] * sp.log(p[k] / q))
        split = S(p[k] * sp.log(p[k])) - S(p[k] * sp.log(q))
        cross = -S(p[k] * sp.log(q))
        empirical = -S(c[k] / n * sp.log(q))
        per_obs = -S(sp.log(q_theta(y[i])), i, n) / n
        nll = -S(sp.log(q_theta(y[i])), i, n)
        loglik = S(sp.log(q_theta(y[i])), i, n)
        pa, qa = o["p"], o["q"]
        pq, qp = kl(pa, qa), kl(qa, pa)
        steps = [
            Step("KL divergence", "How surprised we are, on average over the data distribution $p$, when the "
                 "model $q_θ$ is used instead: the expected log-ratio.", "D_KL(p ‖ q_θ)",
                 r"D_{\mathrm{KL}}(p \,\|\, q_\theta)", kl_def, "definition"),
            Step("Split the log of the ratio", "$log(p/q) = log p − log q$, summed term by term: "
                 "$D_KL(p ‖ q_θ) = −H(p) + H(p, q_θ)$, the negative entropy of $p$ plus the cross-entropy.",
                 "D_KL(p ‖ q_θ)", r"D_{\mathrm{KL}}(p \,\|\, q_\theta)", split, "equal",
                 payload=Equality(concrete={K: classes})),
            Step("Drop the entropy", "$−H(p) = Σ_k p_k log p_k$ does not depend on $θ$: minimising $D_KL$ over $θ$ is "
                 "minimising the cross-entropy $H(p, q_θ) = −E_{y∼p}[log q_θ(y)]$.", "H(p, q_θ)",
                 r"H(p, q_\theta)", cross, "constant-dropped", payload=Dropped(theta=(theta,))),
            Step("The empirical distribution", "$p$ is unknown; the sample's empirical distribution puts mass "
                 "$p̂_k = c_k/n$ on outcome $k$, where $c_k$ counts the observations equal to $k$.", "H(p̂, q_θ)",
                 r"H(\hat{p}, q_\theta)", empirical, "substitution", payload=Substituted(subs={p[k]: c[k] / n})),
            Step("Count by observation", "Each observation $y_i = k$ contributes $log q_θ(k)$ once, $c_k$ times in "
                 "all: the cross-entropy with $p̂$ is the mean negative log-likelihood of the sample. (The sample "
                 "$%s$ has $%s$.)" % (example, counted),
                 "H(p̂, q_θ)", r"H(\hat{p}, q_\theta)", per_obs, "equal",
                 payload=Equality(counts=(c[k], y[i], (i, 1, n)))),
            Step("Drop the $1/n$", "Multiplying by $n > 0$ does not move the argmin.", "NLL(θ)",
                 r"\mathrm{NLL}(\theta)", nll, "rescaled", payload=Rescaling(factor=n, theta=(theta,))),
            Step("Negate: the log-likelihood", "Minimising the negative log-likelihood is maximising the "
                 "log-likelihood: the least KL divergence is the least cross-entropy is the maximum likelihood.", "ℓ(θ)", r"\ell(\theta)",
                 loglik, "negated"),
            Step("An example: $D_KL(p ‖ q)$", "For $p = (%s)$ and $q = (%s)$, from the definition."
                 % (", ".join(map(str, pa)), ", ".join(map(str, qa))), "D_KL(p ‖ q)",
                 r"D_{\mathrm{KL}}(p \,\|\, q)", pq, "evaluated",
                 payload=Evaluation(decimals={"nats": (float(sp.N(pq, 30)), 1)}, standalone=True,
                                    value_of=kl_definition(pa, qa)[0], subs=kl_definition(pa, qa)[1])),
            Step("$D_KL$ is not symmetric", "Swapping the arguments gives another number: a divergence, not a "
                 "distance.", "D_KL(q ‖ p)", r"D_{\mathrm{KL}}(q \,\|\, p)", qp, "differs",
                 payload=Difference(other=pq, value_of=kl_definition(qa, pa)[0], subs=kl_definition(qa, pa)[1])),
        ]
        results = [Result("Minimising $D_KL(p ‖ q_θ)$ over $θ$ minimises the cross-entropy", "H(p, q_θ)",
                          r"H(p, q_\theta)", cross),
                   Result("… which, on a sample, maximises the log-likelihood", "ℓ(θ)", r"\ell(\theta)", loglik),
                   Result("$D_KL(p ‖ q)$ (nats)", "D_KL(p ‖ q)", r"D_{\mathrm{KL}}(p \,\|\, q)", pq),
                   Result("$D_KL(q ‖ p)$ (nats)", "D_KL(q ‖ p)", r"D_{\mathrm{KL}}(q \,\|\, p)", qp)]
        return Argument(recipe, prose("a discrete distribution over $K$ outcomes and a sample of $n$ of them; every "
                                      "step for any $K$ and $n$"), steps, results, json={"kl_pq": float(sp.N(pq)), "kl_qp": float(sp.N(qp))})
