"""The mutation corpus (issue 11): wrong steps the verifier must reject, rewrites it must accept.

Every step of a verified derivation is mutated by operators that cover the classes of wrong
steps found by the audit (sign, factor, a relative 10⁻⁶, a dropped or added θ-dependent term, a
changed constant, y and η swapped, a changed function, a wrong link derivative, a wrong stated
payload) and rewritten by equivalences (expand, factor, together, expand_log, a renamed index, a
split product).

The ground truth is independent of the verifier: a mutation is *witnessed wrong* when, at a
point drawn here (not by the verifier's sampler) and evaluated by SymPy at 50 digits with the
sample written out (n = 3, d = 2, K = the model's), it differs from the verified original. A
mutation that no point tells apart from the original (a δ term, a change on a measure-zero set)
is not counted. Used by ``tests/test_soundness.py`` (a sample) and ``benchmarks/soundness.py``.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, replace

import sympy as sp

from mlederive import symbolic as S
from mlederive.relations import Differentiation, Expectation, Rescaling, Substituted

DIGITS = 50
POINTS = 4


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


# -- expression operators --------------------------------------------------------------------

def _eta_term(d, expr):
    eta = d.model.eta_obs() if getattr(d, "model", None) is not None else None
    if eta is None:
        return None
    term = eta ** 2 + eta
    return expr + (sp.Sum(term, (S.i, 1, S.n)) if expr.has(sp.Sum) else term)


def _drop_term(expr):
    if expr.is_Add:
        return sp.Add(*expr.args[:-1])
    if isinstance(expr, sp.Sum) and expr.function.is_Add:
        return sp.Sum(sp.Add(*expr.function.args[:-1]), *expr.limits)
    return None


def _change_constant(expr):
    numbers = sorted((a for a in expr.atoms(sp.Rational) if abs(a) not in (0, 1)), key=sp.default_sort_key)
    return expr.xreplace({numbers[0]: numbers[0] + 1}) if numbers else None


def _swap(d, expr):
    m = getattr(d, "model", None)
    if m is None or m.vector:
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


def expression_mutations(d, step):
    e = step.expr
    if isinstance(e, sp.MatrixExpr):
        return {"sign": -e, "double": 2 * e}
    ops = {
        "sign": -e, "double": 2 * e, "relative-1e-6": e * (1 + sp.Rational(1, 10 ** 6)),
        "add-eta-term": _eta_term(d, e), "drop-term": _drop_term(e), "change-constant": _change_constant(e),
        "swap-y-eta": _swap(d, e), "change-function": _change_function(e),
    }
    return {k: v for k, v in ops.items() if v is not None and v != e}


def payload_mutations(d, step):
    """(operator, mutated step, witness, truth): a wrong stated payload, and what shows it wrong."""
    p, m, out = step.payload, getattr(d, "model", None), []
    if isinstance(p, Expectation):
        wrong = 2 * p.mean
        out.append(("wrong-stated-mean", replace(step, expr=d.reference_of(step).expr.subs(m.y_obs(), wrong),
                                                  payload=Expectation(mean=wrong)), wrong, m.mean()))
    if isinstance(p, Substituted) and p.inverse is not None and not m.vector:
        wrong = p.inverse + 1
        ref = d.reference_of(step)
        out.append(("other-branch-inverse", replace(step, expr=ref.expr.xreplace({m.mu_obs(): wrong}),
                                                     payload=replace(p, inverse=wrong)), None, None))
    if isinstance(p, Rescaling) and p.factor is not None:
        wrong = 2 * p.factor
        out.append(("wrong-stated-factor", replace(step, payload=replace(p, factor=wrong)),
                    wrong * d.reference_of(step).expr, None))
    named = getattr(p, "named", None)
    if named is not None:  # "this is the BCE" with a form that is not the step
        yhat = S.yhat[S.i, S.k] if m.vector else S.yhat[S.i]
        doubled = 2 * S.expand_functions(S.evaluated(named.form))
        witness = sp.Sum(named.per * doubled.xreplace({yhat: m.mean()}), (S.i, 1, S.n))
        out.append(("wrong-named-loss", replace(step, payload=replace(p, named=replace(named, form=doubled))),
                    witness, None))
    if isinstance(p, Differentiation) and p.chain is not None:
        dl, dmu = p.chain
        out.append(("wrong-link-derivative", replace(step, expr=dl * 2 * dmu, payload=replace(p, chain=(dl, 2 * dmu))),
                    (dl * 2 * dmu).xreplace({m.mu_obs(): m.mean()}), None))
    return out


def equivalent_rewrites(d, step):
    e = step.expr
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


def display_mutations(d, step):
    """(operator, mutated step, witness, kind) for a step shown in a textbook form: the form shown made wrong
    (it must be rejected, even though the working form is right), or written another equal way (accepted)."""
    if step.display is None:
        return []
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
        for op, mutated, witness, truth in payload_mutations(d, step):
            out.append(Mutation(name, step.id, step.relation, op, mutated, "wrong", witness, truth))
        for op, expr in equivalent_rewrites(d, step).items():
            out.append(Mutation(name, step.id, step.relation, op, replace(step, expr=expr), "equivalent"))
    return out


# -- the independent ground truth ------------------------------------------------------------

def _mean(m, rng) -> sp.Float:
    """A mean inside both the family's and the link's mean domain, away from their edges."""
    region = m.family.mean_domain.intersect(m.link.mean_domain)
    lo = float(region.inf) if region.inf.is_finite else -2.0
    hi = float(region.sup) if region.sup.is_finite else lo + 4.0
    return sp.Float(rng.uniform(lo + 0.1 * (hi - lo), hi - 0.1 * (hi - lo)), DIGITS)


def _point(d, atoms, rng):
    m = getattr(d, "model", None)
    values = {}
    for a in sorted(atoms, key=sp.default_sort_key):
        name = a.base.label.name if isinstance(a, sp.Indexed) else getattr(a, "name", "")
        if m is not None and name == "y":
            if m.vector:
                values[a] = sp.Integer(rng.randint(0, 1))
            elif m.family.discrete:
                values[a] = sp.Integer(rng.randint(0, 1) if m.family.support == sp.FiniteSet(0, 1) else
                                       rng.randint(0, 6))
            else:
                lo, hi = m.family.support.inf, m.family.support.sup
                lo = max(float(lo), -2.0) if lo.is_finite else -2.0
                hi = min(float(hi), 3.0) if hi.is_finite else 3.0
                values[a] = sp.Float(rng.uniform(lo + 0.1 * (hi - lo), hi - 0.1 * (hi - lo)), DIGITS)
        elif m is not None and name == "eta" and not m.vector:
            values[a] = sp.N(m.link(_mean(m, rng)), DIGITS)
        elif m is not None and name == "mu":
            values[a] = _mean(m, rng)
        elif a.is_positive or (isinstance(a, sp.Indexed) and a.base.label.is_positive):
            values[a] = sp.Float(rng.uniform(0.3, 2.5), DIGITS)
        elif a.is_integer:
            values[a] = sp.Integer(rng.randint(1, 5))
        else:
            values[a] = sp.Float(rng.uniform(-1.5, 1.5), DIGITS)
    return values


def _concrete(d, expr):
    m = getattr(d, "model", None)
    if isinstance(expr, sp.MatrixExpr):
        rng = random.Random(5)
        xs = sp.Matrix(3, 2, lambda r, c: sp.Rational(rng.randint(-9, 9), 4) + (1 if r == c else 0))
        ys = sp.Matrix(3, 1, lambda r, c: sp.Rational(rng.randint(-9, 9), 4))
        return _explicit(expr, xs, ys)
    if m is not None:
        return m.concretize(expr, size=3)
    return S.write_out(expr.subs({S.n: 3})) if expr.has(sp.Sum, sp.Product) else expr


def _explicit(e, xs, ys):
    """A matrix formula in X and y made explicit (n = 3, d = 2), operation by operation."""
    if e == S.design:
        return xs
    if e == S.targets:
        return ys
    if isinstance(e, sp.Identity):
        return sp.eye(3 if e.shape[0] == S.n else 2)
    if isinstance(e, sp.Transpose):
        return _explicit(e.arg, xs, ys).T
    if isinstance(e, sp.Inverse):
        return _explicit(e.arg, xs, ys).inv()
    if isinstance(e, sp.MatMul):
        out = sp.S.One
        for a in e.args:
            out = out * (_explicit(a, xs, ys) if a.is_Matrix else a)
        return out
    if isinstance(e, sp.MatAdd):
        return sum((_explicit(a, xs, ys) for a in e.args[1:]), _explicit(e.args[0], xs, ys))
    raise TypeError(type(e).__name__)


def _value(expr, values):
    try:
        v = expr.xreplace(values)
        v = v.evalf(DIGITS) if isinstance(v, sp.MatrixBase) else sp.N(v, DIGITS)
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    if isinstance(v, sp.MatrixBase):
        return v
    if not v.is_number or v.has(sp.nan, sp.zoo, sp.oo, -sp.oo):
        return None
    return v


def witnessed_wrong(d, original, mutation: Mutation, seed: int = 0) -> bool | None:
    """True: a point shows the mutation differs from the original; False: equal at every point; None: no point
    could be evaluated."""
    a = _concrete(d, original.expr if mutation.truth is None else mutation.truth)
    b = _concrete(d, mutation.witness if mutation.witness is not None else mutation.step.expr)
    atoms = set()
    for e in (a, b):
        atoms |= {x for x in e.free_symbols if not isinstance(x, (sp.IndexedBase, sp.Idx))} | e.atoms(sp.Indexed)
    atoms = {x for x in atoms if not any(x in i.free_symbols for i in (a.atoms(sp.Indexed) | b.atoms(sp.Indexed))
                                         if i != x)}
    rng = random.Random("%s:%s:%s:%d" % (mutation.document, mutation.step_id, mutation.operator, seed))
    seen = False
    for _ in range(POINTS):
        values = _point(d, atoms, rng)
        va, vb = _value(a, values), _value(b, values)
        if va is None:
            continue
        seen = True
        if vb is None:
            return True  # undefined where the original has a value
        diff = (va - vb).applyfunc(abs) if isinstance(va, sp.MatrixBase) else [abs(va - vb)]
        scale = 1 + (max(abs(x) for x in va) if isinstance(va, sp.MatrixBase) else abs(va))
        if any(x > sp.Float(10) ** (-30) * scale for x in diff):
            return True
    return False if seen else None
