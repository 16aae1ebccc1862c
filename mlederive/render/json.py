"""The JSON contract for tools: one object per derivation (see the README)."""
from __future__ import annotations

import json

import sympy as sp

from .. import symbolic as S
from .common import plain_text
from .latex import inline_math


def _srepr(expr) -> str:
    """srepr in plain SymPy: our named sigmoid is written as 1/(1 + exp(-z)) so any SymPy can read it."""
    return sp.srepr(S.expand_functions(expr))


def _observation(d) -> dict:
    """One observation's log-likelihood, loss and dloss/dη, in plain symbols."""
    m = d.model
    expanded = d.loglik_summand
    if m.one_hot:
        ys = [sp.Symbol("y_%d" % c, real=True) for c in range(1, m.classes + 1)]
        etas = [sp.Symbol("eta_%d" % c, real=True) for c in range(1, m.classes + 1)]
        plain = {S.y[S.i, c]: ys[c - 1] for c in range(1, m.classes + 1)}
        plain.update({S.eta[S.i, c]: etas[c - 1] for c in range(1, m.classes + 1)})

        def view(e, k_value=None):
            e = e.subs({S.K: m.classes, **({S.k: k_value} if k_value else {})}).doit()
            return e.xreplace(plain)

        symbols = {"y": [s.name for s in ys], "eta": [s.name for s in etas]}
        dloss = [_srepr(view(d.grad_eta_obs, c)) for c in range(1, m.classes + 1)]
    elif m.several:  # one η per predicted parameter: plain eta_mu, eta_sigma …
        plain = {p.eta[S.i]: sp.Symbol(p.eta.label.name, real=True) for p in m.predicted}

        def view(e, k_value=None):
            return S.observation_view(e).xreplace(plain)

        symbols = {"y": S.y0.name, "eta": {p.name: p.eta.label.name for p in m.predicted}}
        dloss = {p.name: _srepr(view(g)) for p, g in zip(m.predicted, d.grad_eta_obs)}
    else:
        def view(e, k_value=None):
            return S.observation_view(e)

        symbols = {"y": S.y0.name, "eta": S.eta0.name}
        dloss = _srepr(view(d.grad_eta_obs))
    symbols.update({name: sym.name for name, sym in m.params.items()})
    return {
        "symbols": symbols,
        "log_likelihood": _srepr(view(expanded)),
        "loss": _srepr(view(d.loss_summand)),
        "dloss_deta": dloss,
        "d2loss_deta2": _matrix_or_one(d.curvature_obs, view),
        "fisher": _matrix_or_one(d.fisher_obs, view),
        "stable": None if m.several else _stable(d, view),
    }


def _matrix_or_one(expr, view):
    """srepr of one value; a P × P matrix (several predicted parameters) as rows of srepr; None for no value."""
    if expr is None:
        return None
    if isinstance(expr, sp.MatrixBase):
        return [[_srepr(view(e)) for e in expr.row(r)] for r in range(expr.rows)]
    return _srepr(view(expr))


def _undefined(expr, m):
    """The stable primitives as SymPy's undefined functions of the same names (softplus(−η) stays softplus(−η)),
    so the srepr reads back in any SymPy; observation i's logits written out for logsumexp."""
    from ..primitives import Primitive, logsumexp

    def plain(e):
        if isinstance(e, logsumexp):
            return sp.Function("logsumexp")(*[S.eta[S.i, c] for c in range(1, m.classes + 1)])
        return sp.Function(type(e).__name__)(*e.args)

    return expr.replace(lambda e: isinstance(e, Primitive), plain)


def _definition(primitive, x, z) -> str:
    """A primitive's definition in plain SymPy: in z (in x and z for xlogy, xlog1py; z_1 … z_K for logsumexp)."""
    if primitive.__name__ == "logsumexp":
        return "log(exp(z_1) + ... + exp(z_K))"
    applied = primitive(x, z) if primitive.nargs == {2} else primitive(z)
    return sp.sstr(S.expand_functions(applied.elementary()))


def _stable(d, view) -> dict:
    """What generated code computes for one observation (mlederive.derivation.implementation): the loss in stable
    primitives, its gradient and the Hessian it uses, each a verified step; the primitives' definitions."""
    from ..primitives import PRIMITIVES

    m = d.model
    f = d.implementation

    def per_class(e):
        e = _undefined(e, m)
        return [_srepr(view(e, c)) for c in range(1, m.classes + 1)] if m.one_hot else _srepr(view(e))

    used = {type(g).__name__ for e in (f.loss, f.grad, f.hess) for g in e.atoms(sp.Function)}
    x, z = sp.Symbol("x", real=True), sp.Symbol("z", real=True)
    return {
        "loss": _srepr(view(_undefined(f.loss, m))), "dloss_deta": per_class(f.grad), "hessian": per_class(f.hess),
        "hessian_kind": f.hess_kind, "verified": f.document.verified,
        "primitives": {p.__name__: _definition(p, x, z) for p in PRIMITIVES if p.__name__ in used},
    }


def _table(t) -> dict:
    return {"title": plain_text(t.title), "headers": [plain_text(h) for h in t.headers],
            "rows": [[plain_text(c) for c in row] for row in t.rows]}


def _argument_dict(doc) -> dict:
    return {
        "recipe": doc.recipe.name,
        "kind": doc.recipe.kind,
        "title": doc.recipe.title,
        "verified": doc.verified,
        "warnings": [plain_text(w) for w in doc.warnings],
        "steps": [
            {
                "id": step.id,
                "title": plain_text(step.title),
                "justification": plain_text(step.justification),
                "relation": step.relation,
                "latex": "%s = %s" % (step.lhs_latex, inline_math(step.expr)),
                "expr": _srepr(step.expr),
                "verified": check.verified,
                "method": check.method,
                "scope": check.scope,
                "detail": check.detail,
            }
            for step, check in zip(doc.steps, doc.checks)
        ],
        "results": [{"label": plain_text(r.label), "latex": "%s = %s" % (r.lhs_latex, inline_math(r.expr)), "expr": _srepr(r.expr)}
                    for r in doc.results],
        "tables": [_table(t) for t in doc.tables],
        **doc.json,
    }


def to_dict(d) -> dict:
    from ..documents import Argument

    if isinstance(d, Argument):
        return _argument_dict(d)
    return {
        "recipe": d.recipe.name,
        "title": d.recipe.title,
        "family": d.model.family.name,
        "link": d.model.link.name,
        "pairing": d.model.pairing.status,
        "predictor": d.model.predictor.name,
        "reduction": d.recipe.reduction,
        "loss_name": d.loss_name,
        "verified": d.verified,
        "warnings": [plain_text(w) for w in d.warnings],
        "steps": [
            {
                "id": step.id,
                "title": plain_text(step.title),
                "justification": plain_text(step.justification),
                "relation": step.relation,
                "latex": "%s = %s" % (step.lhs_latex, inline_math(step.expr)),
                "expr": _srepr(step.expr),
                "verified": check.verified,
                "method": check.method,
                "detail": check.detail,
            }
            for step, check in zip(d.steps, d.checks)
        ],
        "loss": {"expr": _srepr(d.loss), "latex": inline_math(d.loss)},
        "gradients": {name: {"expr": _srepr(g), "latex": inline_math(g)} for name, g in d.gradients.items()},
        "observation": _observation(d),
        "map": None if d.posterior is None else {
            "prior": d.posterior.prior.name, "penalty": plain_text(d.posterior.penalty),
            "lambda": {"expr": _srepr(d.posterior.lam), "latex": inline_math(d.posterior.lam)},
            "loss": {"expr": _srepr(d.posterior.loss), "latex": inline_math(d.posterior.loss)},
            "gradient": {"expr": _srepr(d.posterior.gradient), "latex": inline_math(d.posterior.gradient)},
        },
        "tables": [_table(t) for t in d.tables],
    }


def render_json(d) -> str:
    return json.dumps(to_dict(d), indent=2, ensure_ascii=False)


def schema(name: str = "derivation") -> dict:
    """The JSON Schema shipped with the package: ``derivation`` (``--format json``), ``mle`` or ``grade``."""
    from importlib.resources import files

    return json.loads(files("mlederive").joinpath("schema", "%s.schema.json" % name).read_text(encoding="utf-8"))
