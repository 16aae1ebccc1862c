"""The coin example: the normalised log-likelihood ratio of N flips tends to D_KL(p ‖ q).

Samples drawn from p are scored under p and under q. Written with the counts
n_j, the log of the likelihood ratio over N is Σ_j (n_j/N)·log(p_j/q_j); as
N → ∞, n_j/N → p_j (law of large numbers) and the limit is D_KL(p ‖ q). The
distributions are recipe fields; a seeded simulation shows the approach.
"""
from __future__ import annotations

import math
import random

import sympy as sp

from ..documents import Argument, Result, Step, Table
from ..prose import prose
from ..relations import Difference, Equality, Evaluation, Substituted
from .kinds import ArgumentKind, Option, distribution, integer, integers
from .kl import kl

N = sp.Symbol("N", positive=True, integer=True)


class KLCoin(ArgumentKind):
    kind = "kl-coin"
    summary = "the normalised log-likelihood ratio of N coin flips → D_KL(p‖q) (exact, nats, bits; simulated)"
    options = {
        "p": Option(["1/2", "1/2"], "the distribution the flips come from, outcomes 0, 1, …", distribution),
        "q": Option(["1/3", "2/3"], "the distribution they are compared with, same length", distribution),
        "seed": Option(0, "seed of the simulation", integer(0, 2**31 - 1)),
        "sizes": Option([10, 100, 1000, 10000], "numbers of flips N simulated", integers(1, 10**6, 8)),
    }

    def build(self, recipe):
        o = recipe.options
        pa, qa = o["p"], o["q"]
        if len(pa) != len(qa):
            from ..errors import RecipeError

            raise RecipeError(recipe.source, "q", "must have as many outcomes as p (%d), got %d."
                              % (len(pa), len(qa)))
        outcomes = range(len(pa))
        ps = [sp.Symbol("p_%d" % j, positive=True) for j in outcomes]
        qs = [sp.Symbol("q_%d" % j, positive=True) for j in outcomes]
        ns = [sp.Symbol("n_%d" % j, positive=True) for j in outcomes]
        ratio = sp.Mul(*[pj ** nj for pj, nj in zip(ps, ns)]) / sp.Mul(*[qj ** nj for qj, nj in zip(qs, ns)])
        split = sp.Add(*[nj / N * sp.log(pj) for pj, nj in zip(ps, ns)]) \
            - sp.Add(*[nj / N * sp.log(qj) for qj, nj in zip(qs, ns)])
        grouped = sp.Add(*[nj / N * sp.log(pj / qj) for pj, qj, nj in zip(ps, qs, ns)])
        limit = sp.Add(*[pj * sp.log(pj / qj) for pj, qj in zip(ps, qs)])
        numbers = {**dict(zip(ps, map(sp.Rational, pa))), **dict(zip(qs, map(sp.Rational, qa)))}
        pq = kl([sp.Rational(v) for v in pa], [sp.Rational(v) for v in qa])
        qp = kl([sp.Rational(v) for v in qa], [sp.Rational(v) for v in pa])
        pq_nats, qp_nats = float(sp.N(pq, 30)), float(sp.N(qp, 30))
        counts = ", ".join("$n_%d$ the number of flips with $x_i = %d$" % (j, j) for j in outcomes)
        steps = [
            Step("Likelihood ratio of the flips", "$N$ flips $x_1, …, x_N$ drawn from $p$, scored under $p$ and under "
                 "$q$: $∏_i p(x_i) / ∏_i q(x_i)$. Equal outcomes are grouped (%s; $Σ_j n_j = N$)." % counts,
                 "p(x | p) / p(x | q)", r"\frac{p(\mathbf{x} \mid p)}{p(\mathbf{x} \mid q)}", ratio, "definition"),
            Step("Normalise and take the log", "$1/N$ times the log of the ratio: the log of a product is the sum of the "
                 "logs.",
                 "(1/N) log ratio", r"\frac{1}{N} \log \frac{p(\mathbf{x} \mid p)}{p(\mathbf{x} \mid q)}", split,
                 "equal", payload=Equality(equals=sp.expand_log(sp.log(ratio), force=True) / N)),
            Step("Group by outcome", "$(n_j/N) log p_j − (n_j/N) log q_j = (n_j/N) log(p_j/q_j)$.", "(1/N) log ratio",
                 r"\frac{1}{N} \log \frac{p(\mathbf{x} \mid p)}{p(\mathbf{x} \mid q)}", grouped, "equal"),
            Step("$N → ∞$", "By the law of large numbers $n_j/N → p_j$, the probability of outcome $j$ under $p$: "
                 "the limit is $Σ_j p_j log(p_j/q_j)$, the KL divergence $D_KL(p ‖ q)$.", "D_KL(p ‖ q)",
                 r"D_{\mathrm{KL}}(p \,\|\, q)", limit, "substitution",
                 payload=Substituted(subs={nj: pj * N for nj, pj in zip(ns, ps)})),
            Step("The coin's value", "$p = (%s)$, $q = (%s)$: exactly, then in nats and in bits (divide by $log 2$)."
                 % (", ".join(map(str, pa)), ", ".join(map(str, qa))), "D_KL(p ‖ q)",
                 r"D_{\mathrm{KL}}(p \,\|\, q)", pq, "evaluated",
                 payload=Evaluation(subs=numbers, decimals={
                     "nats": (pq_nats, 1), "bits": (float(sp.N(pq / sp.log(2), 30)), sp.log(2))})),
            Step("The other way round", "$D_KL(q ‖ p)$ — flips from $q$ scored against $p$ — is another number: "
                 "the divergence is not symmetric.", "D_KL(q ‖ p)", r"D_{\mathrm{KL}}(q \,\|\, p)", qp, "differs",
                 payload=Difference(other=pq, value_of=limit, subs={**dict(zip(ps, map(sp.Rational, qa))),
                                                              **dict(zip(qs, map(sp.Rational, pa)))})),
        ]
        rng = random.Random(o["seed"])
        weights = [float(v) for v in pa]
        logs = [math.log(float(a) / float(b)) for a, b in zip(pa, qa)]
        rows = []
        for size in o["sizes"]:
            draws = rng.choices(range(len(pa)), weights=weights, k=size)
            n = [draws.count(j) for j in outcomes]
            value = sum(nj / size * lj for nj, lj in zip(n, logs))
            rows.append((str(size), *map(str, n), "%.6f" % value, "%.6f" % abs(value - pq_nats)))
        table = Table("Simulated (seed %d): the normalised log-likelihood ratio against $D_KL(p ‖ q) = %.6f$ nats"
                      % (o["seed"], pq_nats),
                      ("$N$", *("$n_%d$" % j for j in outcomes), "$(1/N) log ratio$", "$|difference|$"), tuple(rows))
        results = [Result("$D_KL(p ‖ q)$, exact (%.6f nats, %.6f bits)" % (pq_nats, float(sp.N(pq / sp.log(2)))),
                          "D_KL(p ‖ q)", r"D_{\mathrm{KL}}(p \,\|\, q)", pq),
                   Result("$D_KL(q ‖ p)$, exact (%.6f nats): not the same" % qp_nats, "D_KL(q ‖ p)",
                          r"D_{\mathrm{KL}}(q \,\|\, p)", qp)]
        return Argument(recipe, prose("$p = (%s)$, $q = (%s)$; simulation seed %d"
                        % (", ".join(map(str, pa)), ", ".join(map(str, qa)), o["seed"])), steps, results, [table],
                        json={"kl_pq": pq_nats, "kl_qp": qp_nats,
                              "kl_pq_bits": float(sp.N(pq / sp.log(2), 30)),
                              "simulation": [{"N": int(r[0]), "normalised_log_ratio": float(r[-2])} for r in rows]})
