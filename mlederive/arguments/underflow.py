"""Why the log: a product of n probabilities underflows float64; the sum of their logs does not.

For the recipe's p (default 0.5), the smallest n at which p·p·…·p (n copies,
multiplied as a naive likelihood would) becomes 0.0 in IEEE-754 double
precision, and the log-likelihood n·log p at that n: finite, and equal to the
exact value to about 1e-14 (rounding of n* additions).
"""
from __future__ import annotations

import math

import sympy as sp

from ..documents import Argument, Result, Step, Table
from ..prose import prose
from ..relations import Equality, Evaluation, Underflow
from .kinds import ArgumentKind, Option, number

n = sp.Symbol("n", integer=True, positive=True)
p = sp.Symbol("p", positive=True)


def _p(value):
    v = number(value)
    if not sp.Rational(1, 10**6) <= v <= sp.Rational(999, 1000):
        raise ValueError("must be between 0.000001 and 0.999 (larger p takes millions of factors), got %s" % value)
    return v


def first_zero(value: float) -> int:
    """Smallest n with value·value·…·value (n copies, left to right) == 0.0."""
    product, count = 1.0, 0
    while product > 0.0:
        product *= value
        count += 1
    return count


def naive_loglik(value: float, count: int) -> float:
    total = 0.0
    for _ in range(count):
        total += math.log(value)
    return total


class LogUnderflow(ArgumentKind):
    kind = "log-underflow"
    summary = "a product of n probabilities underflows float64; the sum of their logs stays finite and exact"
    options = {"p": Option("1/2", "the probability of each observation", _p)}

    def build(self, recipe):
        pr = recipe.options["p"]
        pf = float(pr)
        nz = first_zero(pf)
        ll = naive_loglik(pf, nz)
        exact = nz * sp.log(sp.Rational(pr))
        steps = [
            Step("Likelihood of $n$ observations", "$n$ independent observations, each with probability $p$: the "
                 "likelihood is the product of $n$ factors $p$.", "L_n", r"L_n", p ** n, "definition"),
            Step("Log-likelihood", "The log turns the product into a sum of $n$ terms $log p$.", "ℓ_n = log L_n",
                 r"\ell_n = \log L_n", n * sp.log(p), "equal", payload=Equality(equals=sp.expand_log(sp.log(p ** n)))),
            Step("The product underflows", "Multiplied in IEEE-754 double precision, $p·p·…·p$ reaches 0.0 "
                 "(below the smallest subnormal, $2^{−1074} ≈ 4.9·10^{−324}$) at this $n$; one factor fewer is "
                 "still positive.", "n*", "n^{*}", sp.Integer(nz), "float64-underflow", payload=Underflow(p=pf)),
            Step("The log-likelihood does not", "At $n^*$, the sum of $n^*$ float64 logs is finite and agrees with "
                 "the exact value $n^* log p$ to about $10^{−14}$ (the rounding of $n^*$ additions).", "ℓ_{n*}", r"\ell_{n^{*}}", exact, "evaluated",
                 reference="step-2", payload=Evaluation(subs={n: nz, p: sp.Rational(pr)},
                                                       decimals={"float64 sum of logs": (ll, 1)})),
        ]
        shown = sorted({1, 10, 100, 1000, nz - 1, nz} - {0})
        rows = []
        for count in shown:
            product = math.prod([pf] * count)
            rows.append((str(count), "%.6g" % product, "%.15g" % naive_loglik(pf, count),
                         "%.15g" % float(sp.N(count * sp.log(sp.Rational(pr)), 20))))
        table = Table("$p = %s$: the product against the sum of logs in float64" % pr,
                      ("$n$", "product $p^n$", "sum of logs", "exact $n log p$"), tuple(rows))
        results = [Result("The product of %d factors $%s$ is 0.0 in float64" % (nz, pr), "n*", "n^{*}",
                          sp.Integer(nz)),
                   Result("… while the log-likelihood there is %.15g" % ll, "ℓ_{n*}", r"\ell_{n^{*}}", exact)]
        return Argument(recipe, prose("$p = %s$, IEEE-754 double precision" % pr), steps, results, [table],
                        json={"p": pf, "first_zero_n": nz, "loglik_at_first_zero": ll,
                              "loglik_exact": float(sp.N(exact, 30)),
                              "relative_error": abs(ll - float(sp.N(exact, 30))) / abs(float(sp.N(exact, 30)))})
