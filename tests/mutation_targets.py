"""Targets of the mutation corpus beyond ``derive(name)``: the generated-code documents (the steps from the loss to what
the code computes), the helpers' branches (each implementation of a stable primitive, branch by branch), and MLE
estimates (a wrong closed form must fail its checks). Used by ``benchmarks/soundness.py`` and
``tests/test_soundness.py``."""
from __future__ import annotations

from dataclasses import dataclass, replace

import sympy as sp
from mutations import Mutation, corpus

#: a sample for each family with a closed-form MLE, inside its support
MLE_DATA = {
    "gaussian": [1, 3, 0, 2, 5], "bernoulli": [0, 1, 1, 0, 1], "binomial": [0, 1, 1, 0, 1],
    "poisson": [1, 3, 0, 2, 5], "exponential": [0.5, 1.2, 2.0, 3.1], "gamma": [0.5, 1.2, 2.0, 3.1],
    "inverse-gaussian": [0.5, 1.2, 2.0, 3.1], "negative-binomial": [1, 3, 0, 2, 5], "laplace": [1, 3, 0, 2, 5],
    "log-normal": [0.5, 1.2, 2.0, 3.1], "geometric": [1, 3, 0, 2, 5], "weibull": [0.5, 1.2, 2.0, 3.1],
}


def code_documents(pair: str, targets=("numpy", "xgboost")) -> list:
    """(name, document, the step ids to mutate) for each generated module of ``pair``: the steps the code adds to the
    derivation (its own steps are mutated with the derivation), and every branch of every helper it uses."""
    from mlederive import derive
    from mlederive.codegen import generate

    base = {s.id for s in derive(pair).steps}
    out = []
    for target in targets:
        g = generate(pair, target)
        doc = g.forms.document
        out.append(("code:%s:%s" % (pair, target), doc, {s.id for s in doc.steps} - base))
        if g.implementations is not None:
            out.append(("helpers:%s:%s" % (pair, target), g.implementations, {s.id for s in g.implementations.steps}))
    return out


def code_corpus(name: str, doc, step_ids) -> list:
    return [m for m in corpus(name, doc) if m.step_id in step_ids]


@dataclass(frozen=True)
class MLEMutation:
    family: str
    parameter: str
    operator: str
    #: the estimate as mutated, the checks' verdict on it, and whether its value on the data differs from the right one
    verified: bool
    witnessed: bool | None


def mle_mutations(family: str) -> list[MLEMutation]:
    """Each estimate of ``family`` replaced by a wrong closed form (negated, doubled, plus one, squared; a wrong
    statistic), the result's checks recomputed on it: none may pass where its value on the data differs."""
    from mlederive.mle import _checks, median_checks, solve_mle

    checks = median_checks if family == "laplace" else _checks
    right = solve_mle(family, MLE_DATA[family])
    out = []
    for p, e in right.estimate.items():
        stats = sorted(e.free_symbols, key=sp.default_sort_key)
        wrongs = {"negate": -e, "double": 2 * e, "plus-one": e + 1, "square": e ** 2}
        if stats:
            wrongs["other-statistic"] = e.xreplace({stats[0]: stats[0] + 1})
        for op, wrong in wrongs.items():
            r = replace(right, estimate={**right.estimate, p: wrong}, checks=[])
            verdict = all(c.verified for c in checks(r))
            out.append(MLEMutation(family, str(p), op, verdict, _differs(right, r)))
    return out


def _differs(right, wrong) -> bool | None:
    """The estimates themselves on the data (not what is reported: σ̂ = −√… has the right σ̂²)."""
    at = {**right.stat_values(), **right.known}
    try:
        return any(sp.N((right.estimate[p] - wrong.estimate[p]).xreplace(at), 30) != 0 for p in right.estimate)
    except (TypeError, ValueError):
        return None


__all__ = ["MLE_DATA", "MLEMutation", "Mutation", "code_corpus", "code_documents", "mle_mutations"]
