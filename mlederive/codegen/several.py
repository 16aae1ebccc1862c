"""Generated code for a model with several predicted parameters: η has one column per parameter, in the recipe's
order, and the module computes the derivation's verified forms over it — the loss, the gradient (n, P), the Hessian
(n, P, P) and its diagonal, the Fisher matrix (n, P, P) and the natural gradient F⁻¹·g (NGBoost's step), and, for the
boosting targets, a multi-output objective whose Hessian is the Fisher diagonal (each entry proved positive).

Every expression printed is a step of the verified derivation (the loss step's term, ∂loss/∂η_p, the Hessian, the
Fisher matrix), divided by the reduction's 1/n: one observation's value.
"""
from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from .. import symbolic as S
from ..derivation.implementation import CodegenError, SeveralForms
from ..render.common import plain_text
from ..version import __version__
from .printers import as_code


@dataclass(frozen=True)
class Dialect:
    """How a library spells the array operations the module needs around the printed forms."""

    library: str  # the code printer's name (mlederive.codegen.printers)
    module: str  # what the module imports
    eta: str  # η as the library's array
    y: str  # y as an array like η
    stack: str  # stack a list along an axis: {0} the entries, {1} the axis
    diagonal: str
    solve: str  # F⁻¹·g per row: {0} F, {1} g
    like: str  # the module whose zeros_like/full_like broadcast a constant
    indicator: str  # 1[y = c] as an array like y: {0} c


DIALECTS = {d.library: d for d in (
    Dialect("numpy", "numpy", "numpy.asarray(eta, dtype=float)", "numpy.asarray(y, dtype=float)",
            "numpy.stack([{0}], axis={1})", "numpy.diagonal({0}, axis1=-2, axis2=-1)",
            "numpy.linalg.solve({0}, {1}[..., None])[..., 0]", "numpy", "numpy.asarray(y == {0}, dtype=float)"),
    Dialect("jax", "jax.numpy", "jax.numpy.asarray(eta)", "jax.numpy.asarray(y, dtype=eta.dtype)",
            "jax.numpy.stack([{0}], axis={1})", "jax.numpy.diagonal({0}, axis1=-2, axis2=-1)",
            "jax.numpy.linalg.solve({0}, {1}[..., None])[..., 0]", "jax.numpy", "(y == {0}).astype(y.dtype)"),
    Dialect("pytorch", "torch", "torch.as_tensor(eta)", "torch.as_tensor(y, dtype=eta.dtype, device=eta.device)",
            "torch.stack([{0}], dim={1})", "torch.diagonal({0}, dim1=-2, dim2=-1)",
            "torch.linalg.solve({0}, {1}.unsqueeze(-1)).squeeze(-1)", "torch", "(y == {0}).to(y.dtype)"),
)}


@dataclass(frozen=True)
class SeveralGenerated:
    """A generated module for several predicted parameters, and the derivation it was printed from."""

    target: str
    code: str
    forms: SeveralForms

    @property
    def document(self):
        return self.forms.document

    @property
    def verified(self) -> bool:
        return self.document.verified

    @property
    def documents(self) -> list:
        return [self.document]

    @property
    def hessian_line(self) -> str:
        fisher = self.forms.fisher is not None
        if self.target not in ("xgboost", "lightgbm"):
            return "hess_matrix is the exact Hessian in η; fisher its expectation over y" if fisher \
                else "hess_matrix is the exact Hessian in η (no Fisher matrix: see the derivation)"
        return "%s, each entry proved positive" % ("the Fisher information's diagonal" if fisher
                                                  else "the curvature's diagonal")


def _plain(model):
    """η_μ,i → eta_mu, y_i → y, 1[y_i = 0] → y_is_0: the names the module's arrays have."""
    return {**{p.eta[S.i]: sp.Symbol("eta_" + p.name, real=True) for p in model.predicted},
            **{sp.KroneckerDelta(S.y[S.i], c): sp.Symbol("y_is_%d" % c, nonnegative=True) for c in range(3)},
            S.y[S.i]: sp.Symbol("y", real=True)}


def _indicators(exprs, dialect: Dialect) -> list:
    """The indicators 1[y = c] the expressions use, as lines computing them from the array y."""
    cs = sorted({int(d.args[1] if d.args[1].is_number else d.args[0]) for e in exprs
                 for d in e.atoms(sp.KroneckerDelta)})
    return ["    y_is_%d = %s\n" % (c, dialect.indicator.format(c)) for c in cs]


def _constant(expr, model) -> bool:
    """Free of y and of every η: a number (or known parameters) per observation."""
    return not (expr.has(S.y) or any(expr.has(p.eta) for p in model.predicted))


def _code(expr, model, params: dict, dialect: Dialect) -> tuple[str, set]:
    """One entry as code (a δ term, the Laplace's 2δ(y − μ)/b, is 0 wherever y ≠ μ and infinite at y = μ)."""
    text, used = as_code(expr.xreplace(_plain(model)), dialect.library, params)
    if _constant(expr, model):  # broadcast to η's rows
        first = "eta_" + model.predicted[0].name
        text = "%s.zeros_like(%s)" % (dialect.like, first) if expr == 0 else \
            "%s.full_like(%s, %s)" % (dialect.like, first, text)
    return text, used


def _hessian_for_boosting(f: SeveralForms) -> str:
    """What a booster divides by, in words: the Fisher matrix's diagonal where the derivation has one (each entry the
    variance of that parameter's score: never negative), else the curvature's, each entry proved positive on the
    whole domain — or no objective."""
    from ..verification.prover import Claim, prove

    d = f.document
    m = d.model
    if f.fisher is not None:
        return "the Fisher information's diagonal (each entry the variance of that parameter's score, never negative)"
    kind = "the curvature's diagonal"
    for k, p in enumerate(m.predicted):
        out = prove(Claim("positive", m.concretize(d.curvature_obs[k, k]), "the %s entry is positive" % p.name), m)
        if not out.ok:
            raise CodegenError("%s: %s for %s is not proved positive (%s); a booster needs a positive Hessian — "
                               "use --target numpy" % (d.recipe.name, kind, p.name, out.detail or "no proof"))
    return kind


def _docstring(f: SeveralForms, target: str, kind: str | None, params: tuple) -> str:
    from ..derivation.likelihood import describe_model

    d = f.document
    m, P = d.model, len(d.model.predicted)
    names = ", ".join(p.name for p in m.predicted)
    what = d.loss_name or "the negative log-likelihood, θ-free terms dropped"
    lines = ["%s — generated by mlederive %s from the recipe %s." % (d.recipe.title, __version__, d.recipe.name), "",
             "Assumption: %s" % plain_text(describe_model(m)), "",
             "eta has shape (n, %d): one column per predicted parameter, in this order: %s (PARAMETERS)." % (P, names)]
    if target == "pytorch":
        lines.append('loss(eta, y, reduction="mean") is the derivation\'s loss (%s), one value per observation reduced '
                     'by `reduction` ("mean", "sum" or "none"); differentiable by autograd.' % what)
    else:
        lines.append("loss(eta, y) is one observation's loss: the derivation's loss term (%s), without the "
                     "reduction's 1/n." % what)
    lines.append("grad(eta, y) → (n, %d); hess_matrix(eta, y) → (n, %d, %d), hess(eta, y) its diagonal; each a verified "
                 "step of the derivation, in stable form." % (P, P, P))
    if d.curvature_obs.has(sp.DiracDelta):
        lines.append("The Hessian's δ term (the absolute value's kink) is 0 wherever y ≠ μ and infinite at y = μ; the "
                     "Fisher matrix keeps its expectation, so the boosting objectives use that.")
    if f.fisher is not None:
        lines.append("fisher(eta) → (n, %d, %d), the expected Hessian over y; natural_gradient(eta, y) = F⁻¹·grad per "
                     "row (NGBoost's step)." % (P, P))
    if params:
        lines.append("Known parameters: %s." % ", ".join("%s (default %r)" % (p.name, p.default)
                                                         if p.default is not None else p.name for p in params))
    if target == "xgboost":
        lines += ["", "objective for xgb.train({..., 'num_target': %d}, dtrain, obj=objective) or "
                  "XGBRegressor(objective=objective, …) — a multi-output objective (multi_strategy as you choose); its "
                  "Hessian is %s, proved positive. metric (custom_metric= / eval_metric=) is the weighted mean of the "
                  "full negative log-likelihood. base_margin(y, weight) → (n, %d), the intercept-only fit, for "
                  "DMatrix(base_margin=…). Labels outside the family's support raise a ValueError naming the first."
                  % (P, kind, P)]
    if target == "lightgbm":
        lines += ["", "objective for lgb.train({'objective': objective, 'num_class': %d}, …), as LightGBMLSS does: "
                  "the margins and the returned gradient and Hessian are (n, %d); the Hessian is %s, proved positive. "
                  "metric (feval=) is the weighted mean of the full negative log-likelihood. init_score(y, weight) → "
                  "(n, %d) for Dataset(init_score=…). Labels outside the family's support raise a ValueError naming "
                  "the first." % (P, P, kind, P)]
    return "\n".join(lines)


def _stack(codes: list, dialect: Dialect, axis: int = -1, indent: int = 4) -> str:
    """The entries stacked along ``axis``, one per line when they do not fit on one (as a person lays out a matrix)."""
    one_line = dialect.stack.format(", ".join(codes), axis)
    if indent + len("return ") + len(one_line) <= 100 and "\n" not in one_line:
        return one_line
    from .layouts import wrapped

    pad = " " * (indent + 4)
    inner = (",\n" + pad).join(wrapped(c, indent + 4).replace("\n", "\n    ") if "\n" not in c else
                               c.replace("\n", "\n    ") for c in codes)
    return dialect.stack.format("\n%s%s,\n%s" % (pad, inner, " " * indent), axis)


_REDUCE = ('    if reduction == "mean":\n        return out.mean()\n    if reduction == "sum":\n        return out.sum()\n'
           '    if reduction == "none":\n        return out\n'
           '    raise ValueError(f"reduction must be \'mean\', \'sum\' or \'none\', got {reduction!r}")\n')


#: y has one label per row of eta: broadcasting (n,) against (m,) or (n, 1) is refused, not computed
_ONE_PER_ROW = ("    if tuple(y.shape) != tuple(eta.shape[:1]):\n"
                '        raise ValueError(f"y must have one label per row of eta: shape {tuple(eta.shape[:1])}, "\n'
                '                         f"got {tuple(y.shape)}")\n')


def _body(f: SeveralForms, dialect: Dialect, params: dict, signature: str, passing: str) -> tuple[str, set]:
    """loss, grad, hess_matrix, hess (and fisher, natural_gradient) over η of shape (n, P)."""
    from .layouts import wrapped

    m = f.document.model
    P = len(m.predicted)
    used: set = set()

    def code(e):
        text, u = _code(e, m, params, dialect)
        used.update(u)
        return text

    def shared(entries) -> tuple[str, list]:
        """The entries with their common subexpressions computed once (sympy.cse): the lines that compute them, and
        the entries in terms of them (a constant entry broadcast to η's rows)."""
        temporaries, reduced = sp.cse([e.xreplace(_plain(m)) for e in entries],
                                      symbols=sp.numbered_symbols("t", real=True), order="none")
        lines = "".join("    %s = %s\n" % (t, wrapped(as_code(v, dialect.library, params)[0], 7 + len(str(t))))
                        for t, v in temporaries)
        used.update(*(as_code(v, dialect.library, params)[1] for _, v in temporaries))
        codes = [code(e) if _constant(e, m) else as_code(r, dialect.library, params)[0] for r, e in zip(reduced, entries)]
        used.update(*(as_code(r, dialect.library, params)[1] for r in reduced))
        return lines, codes

    def matrix(M):
        lines, codes = shared(list(M))
        return lines, _stack([_stack(codes[r * P:(r + 1) * P], dialect) for r in range(P)], dialect, -2)

    cast = "".join("    %s = torch.as_tensor(%s, dtype=eta.dtype, device=eta.device)\n" % (name, name)
                   for name in params) if dialect.library == "pytorch" else ""
    unpack = "    eta = _columns(eta)\n%s    %s = %s\n" % (cast, ", ".join("eta_" + p.name for p in m.predicted),
                                                         ", ".join("eta[:, %d]" % k for k in range(P)))
    # labels outside the support refused (traced JAX arrays cannot raise)
    checked = dialect.library in ("numpy", "pytorch")
    y_line = "    y = %s\n" % ("_labels(%s)" % dialect.y if dialect.library == "pytorch" else "_labels(y)" if checked
                              else dialect.y) + _ONE_PER_ROW + "".join(
        _indicators([f.loss, *f.grads, *f.hessian], dialect))
    parts = ["PARAMETERS = (%s)\n" % ", ".join(repr(p.name) for p in m.predicted),
             'def _columns(eta):\n    """eta as an array of shape (n, %d), one column per parameter (PARAMETERS)."""\n'
             "    eta = %s\n"
             "    if eta.ndim != 2 or eta.shape[1] != %d:\n"
             '        raise ValueError(f"eta must have shape (n, %d), one column per parameter in the order %s; "\n'
             '                         f"got {tuple(eta.shape)}")\n'
             "    return eta\n" % (P, dialect.eta, P, P, ", ".join(p.name for p in m.predicted))]
    if checked:
        from .conventions import labels_function, torch_labels_function

        parts.append((torch_labels_function if dialect.library == "pytorch" else labels_function)(m.family))
    if dialect.library == "pytorch":
        parts.append('def loss(eta, y%s, reduction="mean"):\n    """The loss per observation, reduced by `reduction`."""\n'
                     "%s%s    out = %s\n%s" % (signature or ", *", unpack, y_line, wrapped(code(f.loss), 10), _REDUCE))
    else:
        parts.append('def loss(eta, y%s):\n    """One observation\'s loss (the loss step\'s term)."""\n%s%s    return %s\n'
                     % (signature, unpack, y_line, wrapped(code(f.loss), 11)))
    parts += ['def grad(eta, y%s):\n    """∂loss/∂η per observation, one column per parameter."""\n%s%s    return %s\n'
              % (signature, unpack, y_line + shared(f.grads)[0], _stack(shared(f.grads)[1], dialect)),
              'def hess_matrix(eta, y%s):\n    """∂²loss/∂η∂ηᵀ per observation: (n, %d, %d)."""\n%s%s%s    return %s\n'
              % ((signature, P, P, unpack, y_line) + matrix(f.hessian)),
              'def hess(eta, y%s):\n    """The Hessian\'s diagonal: (n, %d)."""\n    return %s\n'
              % (signature, P, dialect.diagonal.format("hess_matrix(eta, y%s)" % passing))]
    if f.fisher is not None:
        parts += ['def fisher(eta%s):\n    """The Fisher information E[∂²loss/∂η∂ηᵀ] per observation: (n, %d, %d)."""\n'
                  "%s%s    return %s\n" % ((signature, P, P, unpack) + matrix(f.fisher)),
                  'def natural_gradient(eta, y%s):\n    """F⁻¹·grad per observation (NGBoost\'s natural gradient)."""\n'
                  "    return %s\n" % (signature, dialect.solve.format("fisher(eta%s)" % passing,
                                                                       "grad(eta, y%s)" % passing))]
    return "\n\n".join(parts), used


def _intercept(f: SeveralForms, name: str, signature: str, passing: str) -> str:
    """The joint intercept-only fit: Fisher scoring (or Newton on the proved-positive curvature) from the mean's link
    at the sample mean and 0 for the other parameters, halving a step that does not lower the weighted loss."""
    m = f.document.model
    first, P = m.predicted[0], len(m.predicted)
    start = as_code(first.link(sp.Symbol("ybar", positive=True)), "numpy", {})[0]
    curvature = "fisher(eta%s)" % passing if f.fisher is not None else "hess_matrix(eta, y%s)" % passing
    return "\n".join([
        "def %s(y, weight=None%s):" % (name, signature),
        '    """The intercept-only fit, one value per parameter, as (n, %d) margins: the weighted mean loss minimised by'
        % P,
        '    %s steps from %s = g(mean of y) and 0 for the others."""'
        % ("Fisher-scoring" if f.fisher is not None else "Newton", first.name),
        "    y = _labels(y)",
        "    w = numpy.ones_like(y) if weight is None else numpy.asarray(weight, dtype=float)",
        "    ybar = numpy.average(y, weights=w)",
        "    c = numpy.zeros(%d)" % P,
        "    c[0] = %s" % start,
        "",
        "    def total(c):",
        "        return numpy.average(loss(numpy.tile(c, (y.size, 1)), y%s), weights=w)" % passing,
        "",
        "    for _ in range(100):",
        "        eta = numpy.tile(c, (y.size, 1))",
        "        g = numpy.average(grad(eta, y%s), axis=0, weights=w)" % passing,
        "        h = numpy.average(%s, axis=0, weights=w)" % curvature,
        "        step = numpy.linalg.solve(h, g)",
        "        before, t = total(c), 1.0",
        "        while t > 1e-8 and not total(c - t * step) <= before:",
        "            t /= 2",
        "        c = c - t * step",
        "        if numpy.max(numpy.abs(t * step)) < 1e-12:",
        "            break",
        "    return numpy.tile(c, (y.size, 1))",
        ""])


def _boosting_functions(f: SeveralForms, target: str, kind: str, keywords: tuple,
                        metric_keywords: tuple) -> tuple[str, set]:
    """nll, the calling forms, the objective (Hessian: the Fisher diagonal or the proved-positive curvature's) and
    the metric of a boosting module."""
    from .conventions import arguments_function, metric_maker, objective_from_hessian
    from .layouts import wrapped

    m = f.document.model
    P = len(m.predicted)
    passing = keywords.passing()
    diag = "numpy.diagonal(%s, axis1=-2, axis2=-1)" % (
        "fisher(eta%s)" % passing if f.fisher is not None else "hess_matrix(eta, y%s)" % passing)
    nll, used = _code(f.nll, m, {p.name: p.symbol for p in metric_keywords}, DIALECTS["numpy"])
    unpack = "    eta = _columns(eta)\n    %s = %s\n" % (", ".join("eta_" + p.name for p in m.predicted),
                                                          ", ".join("eta[:, %d]" % k for k in range(P)))
    y_line = "    y = _labels(y)\n" + "".join(_indicators([f.nll], DIALECTS["numpy"]))
    return "\n\n".join([
        'def nll(eta, y%s):\n    """The full negative log-likelihood per observation, nothing dropped: scipy\'s '
        '−logpdf."""\n%s%s    return %s\n' % (metric_keywords.trailing(), unpack, y_line, wrapped(nll, 11)),
        arguments_function(target),
        objective_from_hessian(keywords.signature(), passing, keywords.defaults(), keywords.call(), diag, P,
                               kind.split(" (")[0]),
        metric_maker(target, metric_keywords.signature(), metric_keywords.passing(), metric_keywords.defaults(),
                     metric_keywords.call(),
                     reshape="eta.reshape(y.size, %d)" % P)]), used


def _keywords(recipe, m, exprs):
    """The known parameters ``exprs`` use, each with the recipe's value as its default (none: required)."""
    from .conventions import python_name
    from .layouts import Parameter, Parameters

    return Parameters(tuple(Parameter(python_name(name), m.params[name], recipe.values.get(name), "")
                            for name in m.params if any(e.has(m.params[name]) for e in exprs)))


_IMPORTS = {"numpy": lambda used: ["import numpy"] + (["import scipy.special"] if "scipy" in used else []),
            "jax": lambda used: ["import jax", "import jax.numpy"] + (["import jax.scipy.special"]
                                                                      if "scipy" in used or "jax" in used else []),
            "pytorch": lambda used: (["import math"] if "math" in used else []) + ["import torch"]}


def generate_several(recipe, target: str) -> SeveralGenerated:
    """The module for ``target`` from a recipe with several predicted parameters."""
    from ..derivation.implementation import several_forms
    from .layouts import _helper_functions

    f = several_forms(recipe)
    d = f.document
    if not d.verified:
        raise CodegenError("%s: its derivation failed verification; run 'mlederive %s' to see where"
                           % (d.recipe.name, d.recipe.name))
    m = d.model
    known = _keywords(recipe, m, [f.loss, *f.grads, f.hessian])
    params = {p.name: p.symbol for p in known}
    signature, passing = known.trailing(), known.passing()
    boosting = target in ("xgboost", "lightgbm")
    dialect = DIALECTS["numpy" if boosting else target]
    body, used = _body(f, dialect, params, signature, passing)
    kind = None
    if boosting:
        kind = _hessian_for_boosting(f)
        body += "\n\n" + _intercept(f, "base_margin" if target == "xgboost" else "init_score", signature, passing)
        functions, more = _boosting_functions(f, target, kind, known, _keywords(recipe, m, [f.nll]))
        body += "\n\n" + functions
        used |= more
    exprs = [f.loss, *f.grads, *f.hessian, *(f.fisher if f.fisher is not None else [])]
    helpers, more = _helper_functions(None, dialect.library, [e.xreplace(_plain(m)) for e in exprs])
    used |= more
    doc = _docstring(f, target, kind, known)
    names, body = body.split("\n\n", 1)  # PARAMETERS = (…) right below the imports, as isort lays it out
    code = '"""%s"""\n\n%s\n\n%s\n\n%s' % (doc.replace('"""', "'''"), "\n".join(_IMPORTS[dialect.library](used)),
                                         names, helpers + body)
    compile(code, "<generated>", "exec")  # our own bug, if any, shows here rather than in the user's session
    return SeveralGenerated(target, code, f)
