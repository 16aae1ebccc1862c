"""The mutation corpus (issues 11 and 22): wrong steps the verifier must reject, rewrites it must accept.

Every step of a verified document is mutated by operators that cover the classes of wrong steps the audits found:

* issue 11: sign, factor, a relative 10⁻⁶, an added θ-dependent term, a dropped term, a changed constant, y and η
  swapped, a changed function, a wrong link derivative, a wrong stated payload;
* issue 26: the grading catalogue's mistakes (:mod:`mlederive.grading.mistakes`, one source): the log of a sum taken
  as the sum of the logs, the chain rule's dμ/dη left out — with sign, double and drop-term made by its operators;
* issue 22, where wrong terms hide: far out (max(0, y − 10⁵)·η, max(0, n − 10³)·η, exp(−(η − 100)²)), in a thin
  region (exp(−10⁶(η − 0.7)²)), a clamp of η to [−40, 40], sgn(a) as tanh(1000a), a log branch
  (log((100 − η)²)/2 − log(100 − η)), K-dependent terms ((K − 3)(K − 4)·η_i1, δ_k3·η_i1), a d-dependent prior
  term, x·δ′(x) added to a δ term; consistent payload lies (an objective and its factor both doubled, a
  surrogate Hessian of −1 or 0, convexity claimed of a curvature that changes sign);

and rewritten by equivalences (expand, factor, together, expand_log — forced: wrong where a log's argument can be
negative, and the ground truth knows —, a renamed index, a split product, δ(x) as −x·δ′(x), an identically zero
term, η as log e^η). The targets are every document a user meets: derivations, the articles' arguments,
generated-code documents, the helpers' branches (:mod:`mutation_targets`, with MLE estimates).

The ground truth (:mod:`ground_truth`) is independent of the verifier. Used by ``tests/test_soundness.py`` (a
sample) and ``benchmarks/soundness.py``.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

import sympy as sp
from ground_truth import witnessed_wrong  # noqa: F401  (re-exported: the corpus and its judge together)

from mlederive import symbolic as S
from mlederive.grading.mistakes import (
    logs_swapped,
    negated,
    times,
    without_chain,
    without_term,
)
from mlederive.relations import (
    Differentiation,
    Expectation,
    Rescaling,
    Substituted,
    Surrogate,
)


@dataclass(frozen=True)
class Mutation:
    document: str
    step_id: str
    relation: str
    operator: str
    step: object  # the mutated Step
    #: "wrong" (must be rejected when witnessed) or "equivalent" (must be accepted)
    kind: str
    #: what shows the mutation wrong: ``witness`` compared with ``truth`` (defaults: the mutated step's
    #: expression and the original step's)
    witness: sp.Expr | None = None
    truth: sp.Expr | None = None
    #: the mutation claims ``witness`` positive everywhere: it is wrong where the witness is ≤ 0
    sign: bool = False


# -- expression operators --------------------------------------------------------------------

def _eta_term(d, expr):
    eta = d.model.eta_obs() if getattr(d, "model", None) is not None else None
    if eta is None:
        return None
    term = eta ** 2 + eta
    return expr + (sp.Sum(term, (S.i, 1, S.n)) if expr.has(sp.Sum) else term)


def _change_constant(expr):
    numbers = sorted((a for a in expr.atoms(sp.Rational) if abs(a) not in (0, 1)), key=sp.default_sort_key)
    return expr.xreplace({numbers[0]: numbers[0] + 1}) if numbers else None


def _swap(d, expr):
    m = getattr(d, "model", None)
    if m is None or m.one_hot:
        return None
    y, eta = m.y_obs(), m.eta_obs()
    return expr.xreplace({y: eta, eta: y}) if expr.has(y) and expr.has(eta) else None


_OTHER = {sp.exp: sp.cosh, sp.log: sp.asinh, sp.erf: sp.tanh, sp.loggamma: sp.log, sp.tanh: sp.atan,
          sp.Abs: lambda a: a ** 2, sp.sign: sp.tanh, S.sigmoid: sp.atan}


def _change_function(expr):
    for f, other in _OTHER.items():
        if expr.has(f):
            return expr.replace(lambda e: isinstance(e, f), lambda e: other(*e.args))
    return None


def _entries(e) -> list:
    """The entries of a P × P matrix step (a Hessian, a Fisher matrix) a mutation changes: the first, one off the
    diagonal, the last."""
    cells = [(0, 0), (0, e.cols - 1), (e.rows - 1, e.cols - 1)]
    return list(dict.fromkeys(cells))


def _per_entry(d, step, mutate) -> dict:
    """``mutate`` (a mutation family) applied to one entry at a time of a matrix step: the matrix with that entry
    changed, named by the entry."""
    e, out = step.expr, {}
    for r, c in _entries(e):
        for op, v in mutate(d, replace(step, expr=e[r, c])).items():
            changed = e.as_mutable()
            changed[r, c] = v
            out["%s@%d%d" % (op, r + 1, c + 1)] = sp.ImmutableMatrix(changed)
    return out


def expression_mutations(d, step):
    e = step.expr
    if isinstance(e, sp.MatrixBase):  # several predicted parameters: each operator on one entry at a time
        return {"sign": -e, **_per_entry(d, step, expression_mutations)}
    if isinstance(e, sp.MatrixExpr):
        return {"sign": -e, "double": 2 * e}
    ops = {  # sign, double, drop-term and the log of a sum: the grading catalogue's mistakes, made on every step
        "sign": negated(e), "double": times(e, 2), "relative-1e-6": e * (1 + sp.Rational(1, 10 ** 6)),
        "add-eta-term": _eta_term(d, e), "drop-term": without_term(e), "change-constant": _change_constant(e),
        "swap-y-eta": _swap(d, e), "change-function": _change_function(e), "log-of-a-sum": logs_swapped(e, True),
    }
    return {k: v for k, v in ops.items() if v is not None and v != e}


def _shaped(expr, entries):
    """``entries`` in the shape of the step: a P × P matrix (several parameters), or the one scalar (a one-parameter
    family's Fisher step by moments: Huber, Cauchy, von Mises)."""
    if isinstance(expr, sp.MatrixBase):
        return sp.ImmutableMatrix(expr.rows, expr.cols, entries)
    return entries[0]


def payload_mutations(d, step):
    """(operator, mutated step, witness, truth, sign): a wrong stated payload, and what shows it wrong (``sign``: the
    witness is claimed positive, and is wrong where it is not)."""
    p, m, out = step.payload, getattr(d, "model", None), []
    if isinstance(p, Expectation) and p.mean is not None:
        wrong = 2 * p.mean
        out.append(("wrong-stated-mean", replace(step, expr=d.reference_of(step).expr.subs(m.y_obs(), wrong),
                                                  payload=Expectation(mean=wrong)), wrong, m.mean(), False))
    if isinstance(p, Expectation) and p.moments:  # a moment stated wrong, the entries computed from it: consistent
        for j, (fn, value) in enumerate(p.moments):
            if not any(cs[j] != 0 for _, cs in p.coefficients):
                continue
            moments = list(p.moments)
            moments[j] = (fn, value + sp.Rational(1, 7) * (value if value != 0 else 1))
            entries = [c0 + sum(cj * v for cj, (_, v) in zip(cs, moments)) for c0, cs in p.coefficients]
            wrong = _shaped(step.expr, entries)
            out.append(("wrong-moment-%d" % j, replace(step, expr=wrong, display=None,
                                                       payload=replace(p, moments=tuple(moments))),
                        wrong, None, False))
        coefficients = list(p.coefficients)
        c0, cs = coefficients[-1]
        coefficients[-1] = (c0 + 1, cs)
        # what the payload now says the Hessian is, against what it is
        said = _shaped(step.expr, [c + sum(cj * fn for cj, (fn, _) in zip(cjs, p.moments)) for c, cjs in coefficients])
        out.append(("wrong-coefficient", replace(step, payload=replace(p, coefficients=tuple(coefficients))), said,
                    d.reference_of(step).expr, False))
    if isinstance(p, Substituted) and p.subs is not None and p.inverse is None and m is not None and m.several:
        subs = dict(p.subs)
        last = list(subs)[-1]
        subs[last] = subs[last] + 1  # another inverse for the last parameter, put in consistently
        ref = d.reference_of(step)
        out.append(("other-inverse-several", replace(step, expr=ref.expr.xreplace(subs), display=None,
                                                      payload=replace(p, subs=subs)), None, None, False))
    if isinstance(p, Substituted) and p.inverse is not None and not m.one_hot:
        wrong = p.inverse + 1
        ref = d.reference_of(step)
        out.append(("other-branch-inverse", replace(step, expr=ref.expr.xreplace({m.mu_obs(): wrong}),
                                                     payload=replace(p, inverse=wrong)), None, None, False))
    if isinstance(p, Rescaling) and p.factor is not None:
        wrong = 2 * p.factor
        out.append(("wrong-stated-factor", replace(step, payload=replace(p, factor=wrong)),
                    wrong * d.reference_of(step).expr, None, False))
        if p.unit_dispersion:  # the objective and its stated factor both doubled: consistent, and not φ × NLL
            out.append(("unit-dispersion-lie", replace(step, expr=2 * step.expr, payload=replace(p, factor=wrong)),
                        None, None, False))
    named = getattr(p, "named", None)
    if named is not None:  # "this is the BCE" with a form that is not the step
        yhat = S.yhat[S.i, S.k] if m.one_hot else S.yhat[S.i]
        doubled = 2 * S.expand_functions(S.evaluated(named.form))
        witness = sp.Sum(named.per * doubled.xreplace({yhat: m.mean()}), (S.i, 1, S.n))
        out.append(("wrong-named-loss", replace(step, payload=replace(p, named=replace(named, form=doubled))),
                    witness, None, False))
    if isinstance(p, Differentiation) and p.chain is not None:
        dl, dmu = p.chain
        out.append(("wrong-link-derivative", replace(step, expr=dl * 2 * dmu, payload=replace(p, chain=(dl, 2 * dmu))),
                    (dl * 2 * dmu).xreplace({m.mu_obs(): m.mean()}), None, False))
        if dmu != 1:  # the grading catalogue's "chain rule": dμ/dη left out, stated and computed alike
            missing = without_chain(dl * dmu, dmu)
            out.append(("chain-rule-missing", replace(step, expr=missing, payload=replace(p, chain=(dl, sp.S.One))),
                        missing.xreplace({m.mu_obs(): m.mean()}), None, False))
    if isinstance(p, Differentiation) and p.order == 2 and not p.convex:  # convex said of what was not proved
        matrix = isinstance(step.expr, sp.MatrixBase)  # a Hessian matrix: no point shows it; a test rejects it
        out.append(("convex-lie", replace(step, payload=replace(p, convex=True)), None if matrix else step.expr, None,
                    not matrix))
    if isinstance(p, Surrogate):  # a stand-in Hessian a leaf divides by: −1 or 0, stated and computed alike
        for op, v in (("surrogate-negative", sp.S.NegativeOne), ("surrogate-zero", sp.S.Zero)):
            out.append((op, replace(step, expr=v, payload=Surrogate(v)), v, None, True))
    return out


def equivalent_rewrites(d, step):
    e = step.expr
    if isinstance(e, sp.MatrixBase):
        return _per_entry(d, step, equivalent_rewrites)
    if isinstance(e, sp.MatrixExpr) or not e.free_symbols:
        return {}
    out = {"expand": sp.expand(e), "together": sp.together(e)}
    if sp.count_ops(e) < 120:
        out["factor"] = sp.factor(e)
    if e.has(sp.log):
        out["expand_log"] = sp.expand_log(e, force=True)
    lvar = sp.Idx("l")
    renamed = e.replace(lambda x: isinstance(x, (sp.Sum, sp.Product)) and x.limits[-1][0] == S.i,
                        lambda x: type(x)(x.function.xreplace({S.i: lvar}), (lvar, 1, S.n)))
    out["renamed-index"] = renamed
    if isinstance(e, sp.Product) and e.function.is_Mul:
        out["split-product"] = sp.Mul(*[sp.Product(f, *e.limits) for f in e.function.args])
    return {k: v for k, v in out.items() if v != e}


# -- where wrong terms hide (issue 22) -------------------------------------------------------------------------

def _observation_level(d, step) -> bool:
    """A step of one observation (∂ℓ_i/∂η_i, its curvature, the code's gradient): row i outside any sum."""
    e = step.expr
    return not isinstance(e, sp.MatrixExpr) and not e.has(sp.Sum, sp.Product) and e.has(d.model.eta_obs())


def _add(e, term):
    """``e`` with ``term`` (one observation's) added: inside Σ_i when the step is a sum over the sample."""
    return e + (sp.Sum(term, (S.i, 1, S.n)) if e.has(sp.Sum) else term)


def hidden_mutations(d, step):
    """Wrong terms where a sample of the middle of the domain does not look (issue 22); with several predicted
    parameters, in the others' η too."""
    m, e = getattr(d, "model", None), step.expr
    if m is not None and isinstance(e, sp.MatrixBase):
        return _per_entry(d, step, hidden_mutations)
    if m is None or isinstance(e, sp.MatrixExpr) or not e.free_symbols:
        return {}
    y, eta = m.y_obs(), m.eta_obs()
    ops = {}
    if e.has(eta) or e.has(y):
        ops.update({
            "far-count": _add(e, sp.Max(0, y - 10 ** 5) * eta),
            "far-eta": _add(e, sp.exp(-(eta - 100) ** 2)),
            "thin": _add(e, sp.exp(-10 ** 6 * (eta - sp.Rational(7, 10)) ** 2)),
            "log-branch": _add(e, sp.log((100 - eta) ** 2) / 2 - sp.log(100 - eta)),
            "far-size": e + sp.Max(0, S.n - 1000) * (sp.Sum(eta, (S.i, 1, S.n)) if e.has(sp.Sum) else eta),
        })
        if e.has(eta):
            ops["clamp"] = e.xreplace({eta: sp.Min(40, sp.Max(-40, eta))})
    if e.has(sp.sign):
        ops["tanh-sign"] = e.replace(sp.sign, lambda a: sp.tanh(1000 * a))
    deltas = [t for t in e.atoms(sp.DiracDelta) if len(t.args) == 1]
    if deltas:  # x·δ′(x) = −δ(x): added, the distribution changes
        ops["delta-shift"] = e + sp.Add(*[t.args[0] * sp.DiracDelta(t.args[0], 1) for t in deltas]) / S.n
    if m.one_hot and (e.has(eta) or e.has(y)):
        ops["k-dependent"] = _add(e, (S.K - 3) * (S.K - 4) * S.eta[S.i, 1])
        ops["class-3"] = _add(e, sp.KroneckerDelta(S.k, 3) * S.eta[S.i, 1])
    if e.has(S.weights):
        ops["far-d"] = e + sp.Max(0, S.d - 1000) * sp.Sum(S.weights[S.j] ** 2, (S.j, 1, S.d))
    for p in m.predicted[1:] if m.several else ():  # a wrong term in another parameter's η
        other = p.eta[S.i]
        ops["other-eta-%s" % p.name] = _add(e, other ** 2 + other)
        ops["far-other-eta-%s" % p.name] = _add(e, sp.exp(-(other - 100) ** 2))
        ops["thin-other-eta-%s" % p.name] = _add(e, sp.exp(-10 ** 6 * (other - sp.Rational(3, 10)) ** 2))
    return {k: v for k, v in ops.items() if v != e}


def hidden_equivalents(d, step):
    """Right steps written a way that once was rejected: δ(x) as −x·δ′(x), a term that is identically zero."""
    m, e = getattr(d, "model", None), step.expr
    if m is not None and isinstance(e, sp.MatrixBase):
        return _per_entry(d, step, hidden_equivalents)
    if m is None or isinstance(e, sp.MatrixExpr):
        return {}
    out = {}
    deltas = [t for t in e.atoms(sp.DiracDelta) if len(t.args) == 1]
    if deltas:
        out["delta-rewrite"] = e.xreplace({t: -t.args[0] * sp.DiracDelta(t.args[0], 1) for t in deltas})
    if _observation_level(d, step) and not m.one_hot:
        eta = m.eta_obs()
        out["zero-trig"] = e + (sp.sin(eta) ** 2 + sp.cos(eta) ** 2 - 1) / S.n
        out["zero-sigmoid"] = e + (S.sigmoid(eta) + S.sigmoid(-eta) - 1) / S.n
    return out


def display_mutations(d, step):
    """(operator, mutated step, witness, kind) for a step shown in a textbook form: the form shown made wrong
    (it must be rejected, even though the working form is right), or written another equal way (accepted)."""
    if step.display is None:
        return []
    if isinstance(step.display, (sp.MatMul, sp.MatrixBase)):  # a matrix shown (1/n)·[…]: its entries made wrong
        shown = step.display
        if isinstance(shown, sp.MatMul):
            factor, (inner,) = shown.as_coeff_matrices()
            shown = sp.ImmutableMatrix(inner.applyfunc(lambda x: factor * x))
        back = d.model.inverses() if d.model.several else {}  # shown in μ_i, σ_i: compared in η
        return [("display-" + op, replace(step, display=wrong), wrong.xreplace(back), "wrong")
                for op, wrong in expression_mutations(d, replace(step, expr=shown)).items()]
    plain = S.expand_functions(S.evaluated(step.display))
    out = [("display-" + op, replace(step, display=wrong), S.expand_functions(wrong), "wrong")
           for op, wrong in expression_mutations(d, replace(step, expr=plain)).items()]
    out.append(("display-expanded", replace(step, display=sp.expand(plain)), None, "equivalent"))
    return out


def corpus(name, d):
    """Every mutation and rewrite of every (non-definition) step of the verified document ``d``, and of every
    display form (definitions included)."""
    out = []
    for step in d.steps:
        for op, mutated, witness, kind in display_mutations(d, step):
            out.append(Mutation(name, step.id, step.relation, op, mutated, kind, witness))
        if step.relation == "definition":
            continue
        for op, expr in expression_mutations(d, step).items():
            out.append(Mutation(name, step.id, step.relation, op, replace(step, expr=expr), "wrong"))
        for op, expr in hidden_mutations(d, step).items():
            out.append(Mutation(name, step.id, step.relation, op, replace(step, expr=expr), "wrong"))
        for op, mutated, witness, truth, sign in payload_mutations(d, step):
            out.append(Mutation(name, step.id, step.relation, op, mutated, "wrong", witness, truth, sign))
        for op, expr in {**equivalent_rewrites(d, step), **hidden_equivalents(d, step)}.items():
            out.append(Mutation(name, step.id, step.relation, op, replace(step, expr=expr), "equivalent"))
    return out


