"""How each target's module is laid out: one self-contained module, printed from verified forms.

Each ``*_module`` function takes a :class:`Module` (the docstring, the forms, the parameters, the base margin)
and returns the module's text; :mod:`.targets` names them.
"""
from __future__ import annotations

import textwrap
from dataclasses import dataclass

import sympy as sp

from .. import symbolic as S
from .intercept import CLOSED, MEDIAN, Intercept
from .named import helper_text
from .printers import IMPLEMENTATIONS, MEANING, _modules_in, as_code, helpers_used


@dataclass(frozen=True)
class Parameter:
    name: str
    symbol: sp.Symbol
    #: the default (the recipe's value, 1.0 when it gives none), or None: learned, so the caller passes it
    default: float | None
    meaning: str


@dataclass(frozen=True)
class Parameters:
    """The known parameters a generated function takes, keyword-only, a default where the recipe gives a value (one
    list for every module: one parameter and several)."""

    items: tuple = ()  # of Parameter

    def __iter__(self):
        return iter(self.items)

    def __bool__(self) -> bool:
        return bool(self.items)

    def trailing(self) -> str:
        """The keywords after the positional arguments: ", *, nu, s=1.0" (nothing where there are none)."""
        keywords = ["%s=%r" % (p.name, p.default) if p.default is not None else p.name for p in self.items]
        return ", " + ", ".join(["*"] + keywords) if keywords else ""

    def signature(self, *first: str) -> str:
        return ", ".join(first) + self.trailing() if first else self.trailing()[2:]

    def passing(self) -> str:
        """The parameters passed on by name: ", nu=nu, s=s"."""
        return "".join(", %s=%s" % (p.name, p.name) for p in self.items)

    def call(self) -> str:
        """A call that names every parameter without a default (the example in a comment)."""
        return ", ".join("%s=…" % p.name for p in self.items if p.default is None)

    def defaults(self) -> bool:
        return all(p.default is not None for p in self.items)


@dataclass(frozen=True)
class Module:
    """What a template needs: the docstring, the forms as code per library, the parameters, the intercept."""

    docstring: str
    forms: object  # document.Forms
    params: tuple  # of Parameter
    intercept: Intercept | None
    one_hot: bool
    #: the parameters the metric (the full negative log-likelihood) needs: σ too, where the objective has none
    metric_params: tuple = ()
    #: the family: its support is what the labels are checked against
    family: object = None
    #: the PyTorch built-in proved equal to the loss (mlederive.codegen.builtin.Builtin), or None
    builtin: object = None

    def code(self, expr, library: str, params: tuple | None = None) -> tuple[str, set]:
        return as_code(expr, library, {p.name: p.symbol for p in (self.params if params is None else params)})

    def signature(self, *first: str, params: tuple | None = None) -> str:
        return Parameters(self.params if params is None else params).signature(*first)

    def passing(self, params: tuple | None = None) -> str:
        return Parameters(self.params if params is None else params).passing()

    def call(self, params: tuple | None = None) -> str:
        return Parameters(self.params if params is None else params).call()

    def intercept_params(self) -> tuple:
        """The parameters the optimal constant margin needs: all of them where it is solved from the gradient, else
        those its closed form (or the median) uses — a Laplace's median needs no b."""
        ic = self.intercept
        if ic is None or ic.kind not in (CLOSED, MEDIAN):
            return self.params
        used = set().union(*(e.free_symbols for e in (ic.margin, ic.estimate) if e is not None))
        used |= set().union(*(of.free_symbols for _, of in ic.statistics))
        return tuple(p for p in self.params if p.symbol in used)

    def defaults(self, params: tuple | None = None) -> bool:
        return Parameters(self.params if params is None else params).defaults()


# -- pieces shared by the templates -------------------------------------------------------------------

WIDTH = 100


def wrapped(code: str, indent: int) -> str:
    """An expression longer than a line, broken before the + and − of its outermost sum (in parentheses, as a
    person would write it: the whole expression, or the first parenthesised group holding a sum); a shorter one
    as it is."""
    if indent + len(code) <= WIDTH:
        return code
    splits, spans, opened = {}, {-1: len(code)}, []
    for n, char in enumerate(code):
        if char in "([{":
            opened.append(n)
        elif char in ")]}":
            start = opened.pop()
            spans[start] = n - start
        elif code.startswith((" + ", " - "), n) and code[n - 1] not in "(*/":
            group = opened[-1] if opened else -1  # the parenthesis this operator sits in (-1: the top level)
            splits.setdefault((len(opened), group), []).append(n)
    # the widest group that holds a sum (the whole expression, when it is one), if breaking it helps: a group
    # that starts past the middle of the line, or is short, stays as it is
    useful = {k: v for k, v in splits.items() if indent + k[1] < WIDTH // 2 and spans[k[1]] > WIDTH // 2}
    if not useful:
        return code
    (level, group), points = max(useful.items(), key=lambda item: spans[item[0][1]])
    if level == 0:
        code, points, group = "(" + code + ")", [p + 1 for p in points], 0
    pad = indent + group + 1
    pieces, last = [], 0
    for point in points:
        pieces.append(code[last:point].rstrip())
        last = point + 1
    pieces.append(code[last:])
    lines = [pieces[0]]
    for piece in pieces[1:]:  # as many terms on a line as fit
        if pad + len(lines[-1]) + 1 + len(piece) <= WIDTH:
            lines[-1] += " " + piece
        else:
            lines.append(piece)
    return ("\n" + " " * pad).join(lines)


def _header(module: Module, imports: set) -> str:
    order = ["math", "numpy", "scipy.special", "torch", "jax", "jax.numpy", "jax.scipy.special"]
    lines = ['"""%s"""' % module.docstring.replace('"""', "'''"), ""]
    lines += ["import %s" % name for name in order if name in imports]
    return "\n".join(lines) + "\n"


def _imports(used: set, library: str) -> set:
    out = {"numpy"} if library == "numpy" else set()
    if "scipy" in used:
        out.add("scipy.special")
    if library == "pytorch":
        out |= {"torch"} & used
        if "math" in used:
            out.add("math")
    if library == "jax":
        out |= {"jax", "jax.numpy"} | ({"jax.scipy.special"} if "jax.scipy" in used or "scipy" in used else set())
    return out


def _shaped(text: str, expr, library: str) -> str:
    """A constant Hessian (or loss) broadcast to η's shape."""
    if expr.has(S.eta) or expr.has(S.y):
        return text
    zeros = {"numpy": "numpy.zeros(numpy.broadcast(eta, y).shape)", "jax": "jax.numpy.zeros_like(eta)",
             "pytorch": "torch.zeros_like(eta)"}[library]
    return "%s + %s" % (text, zeros)


#: log a(y, φ) of the Tweedie density, for its metric (tests: equal to statsmodels' Tweedie log-likelihood)
TWEEDIE_LOG_A = (
    'def _tweedie_log_a(y, phi, p):\n'
    '    """log a(y, φ), the Tweedie density\'s normaliser (1 < p < 2): Dunn and Smyth\'s series Σ_j W_j/y, summed in\n'
    '    logs over j = 1 … J, J past the largest term; 0 at y = 0."""\n'
    '    y = numpy.asarray(y, dtype=float)\n'
    '    out = numpy.zeros(y.shape)\n'
    '    inside = y > 0\n'
    '    if not inside.any():\n'
    '        return out\n'
    '    yp, alpha = y[inside], (2 - p) / (1 - p)\n'
    '    top = float(numpy.max(yp ** (2 - p) / (phi * (2 - p))))  # the largest term\'s index\n'
    '    j = numpy.arange(1, int(2 * top + 10 * numpy.sqrt(top) + 40))[:, None]\n'
    '    log_w = (j * alpha * (numpy.log(p - 1) - numpy.log(yp)) - j * (1 - alpha) * numpy.log(phi)\n'
    '             - j * numpy.log(2 - p) - scipy.special.gammaln(j + 1) - scipy.special.gammaln(-j * alpha))\n'
    '    out[inside] = scipy.special.logsumexp(log_w, axis=0) - numpy.log(yp)\n'
    '    return out\n')


_HELPERS = {
    "numpy": {
        "sigmoid": 'def _sigmoid(z):\n    """σ(z) = exp(−softplus(−z)): no overflow for either sign of z."""\n'
                   "    return numpy.exp(-numpy.logaddexp(0, -z))\n",
        "logsumexp": 'def _logsumexp(eta):\n    """log Σ_k exp(η_k) over the last axis, after subtracting the largest."""\n'
                     "    top = numpy.max(eta, axis=-1, keepdims=True)\n"
                     "    return top + numpy.log(numpy.sum(numpy.exp(eta - top), axis=-1, keepdims=True))\n",
        "TweedieNormaliser": TWEEDIE_LOG_A,
    },
}


def _helper_list(module: Module, library: str, exprs) -> tuple[list, set]:
    """The helpers the forms use, each a function's text: our implementations (verified, printed from SymPy), the
    named functions' definitions and NumPy's σ, logsumexp."""
    out, used = [], set()
    names = {type(f).__name__ for e in exprs for f in e.atoms(sp.Function)}
    out += [text for name, text in _HELPERS.get(library, {}).items() if name in names]
    named = [helper_text(name, library) for name in sorted(names)]
    out += [text for text in named if text]
    used |= {m for text in named if text for m in _modules_in(text)}
    for cls in helpers_used(*exprs):
        var, impl = IMPLEMENTATIONS[cls]
        code, mods = as_code(impl.xreplace({var: sp.Symbol("z", real=True)}), library, {})
        used |= mods
        if library == "numpy" and isinstance(impl, sp.Piecewise):  # both branches are evaluated, one is kept
            body = "    with numpy.errstate(all='ignore'):\n        return %s\n" % code
        else:
            body = "    return %s\n" % code
        proved = "each branch proved equal to it" if isinstance(impl, sp.Piecewise) else "proved equal to it"
        out.append('def _%s(z):\n    """%s; %s (`--explain`)."""\n%s' % (cls.__name__, MEANING[cls], proved, body))
    return out, used


def _helper_functions(module: Module, library: str, exprs) -> tuple[str, set]:
    """The helpers the forms use, as the module's text."""
    out, used = _helper_list(module, library, exprs)
    return ("\n\n".join(out) + "\n\n" if out else ""), used


def _fused(module: Module) -> tuple[str, set]:
    """``_grad_hess(eta, y)``: the gradient and the Hessian together on arrays already checked, their common
    subexpressions computed once (sympy.cse) — the boosting objective's inner loop."""
    f = module.forms
    plain = {S.eta[S.i]: sp.Symbol("eta", real=True), S.y[S.i]: sp.Symbol("y", real=True)}
    temporaries, (grad, hess) = sp.cse([f.grad.xreplace(plain), f.hess.xreplace(plain)],
                                       symbols=sp.numbered_symbols("t", real=True), order="none")
    lines, used = [], set()
    for t, value in temporaries:
        code, mods = module.code(value, "numpy")
        used |= mods
        lines.append("    %s = %s" % (t, wrapped(code, 7 + len(str(t)))))
    codes = []
    for expr, original in ((grad, f.grad), (hess, f.hess)):
        code, mods = module.code(expr, "numpy")
        used |= mods
        codes.append(_shaped(code, original, "numpy"))
    body = "\n".join(lines + ["    return %s, %s" % tuple(codes)])
    return ('def _grad_hess(%s):\n    """∂ℓ/∂η and the Hessian together, on arrays already checked: the objective\'s '
            'inner loop."""\n%s\n' % (module.signature("eta", "y"), body)), used


def _per_observation(module: Module, library: str, arrays: str) -> tuple[str, set]:
    """loss, grad, hess as functions of (eta, y) on ``library``'s arrays."""
    f = module.forms
    exprs = (f.loss, f.grad, f.hess)
    helpers, used = _helper_functions(module, library, exprs)
    hessian = {"curvature": "∂²ℓ/∂η², positive", "fisher": "E[∂²ℓ/∂η²], the Fisher information (Fisher scoring)",
               "surrogate": "A constant surrogate Hessian, 1,", "indefinite curvature": "∂²ℓ/∂η² (can be negative)"}
    hessian = hessian[f.hess_kind] if f.hess_kind != "surrogate" or f.hess == 1 else \
        "E[∂²ℓ/∂η²], the Fisher information (the objective scales it by the labels)"
    parts = []
    for (name, what), expr in zip((("loss", "ℓ(η, y)"), ("grad", "∂ℓ/∂η"), ("hess", hessian)), exprs):
        text, mods = module.code(expr, library)
        used |= mods
        text = _shaped(text, expr, library)
        if module.one_hot and name == "loss":
            text = "(%s)[..., 0]" % text
        parts.append('def %s(%s):\n    """%s per observation%s."""\n%s    return %s\n' % (
            name, module.signature("eta", "y"), what,
            " (η and y of shape (n, K), y one-hot)" if module.one_hot else "", arrays, wrapped(text, 11)))
    return helpers + "\n\n".join(parts), used


_NUMPY_ARRAYS = "    eta, y = numpy.asarray(eta, dtype=float), numpy.asarray(y, dtype=float)\n"
def _checked_arrays(module) -> str:
    from .conventions import label_call

    return "    eta, y = numpy.asarray(eta, dtype=float), %s\n" % label_call(module.family)


def _numpy_functions(module: Module) -> tuple[str, set]:
    """loss, grad, hess on NumPy arrays; the labels checked against the family's support (a one-hot y as it is)."""
    from .conventions import labels_function

    if module.one_hot:
        return _per_observation(module, "numpy", _NUMPY_ARRAYS)
    body, used = _per_observation(module, "numpy", _checked_arrays(module))
    return labels_function(module.family) + "\n\n" + body, used


def numpy_module(module: Module) -> str:
    body, used = _numpy_functions(module)
    return _header(module, _imports(used, "numpy")) + "\n\n" + body


def jax_module(module: Module) -> str:
    arrays = "    eta, y = jax.numpy.asarray(eta), jax.numpy.asarray(y)\n"
    body, used = _per_observation(module, "jax", arrays)
    return _header(module, _imports(used, "jax")) + "\n\n" + body


def _intercept_code(module: Module, name: str) -> str:
    """``name``(y, weight=None, …) → float: the optimal constant margin, η̂ = g(μ̂)."""
    ic = module.intercept
    from .conventions import bounds, label_call

    lines = ["    y = %s" % (label_call(module.family) if not bounds(module.family.support)
                          or all(b in {p.symbol for p in module.params} for b in bounds(module.family.support))
                          else "numpy.asarray(y, dtype=float)"),
             "    w = numpy.ones_like(y) if weight is None or numpy.size(weight) == 0 else "
             "numpy.asarray(weight, dtype=float)"]
    params = {p.name: p.symbol for p in module.params}
    if ic.kind == CLOSED:
        for sym, of in ic.statistics:
            if ic.estimate.has(sym):
                code, _ = as_code(of.xreplace({ic.y: S.y[S.i]}), "numpy", params)
                lines.append("    %s = numpy.average(%s, weights=w)" % (sym.name, code))
        code, _ = as_code(ic.estimate, "numpy", params)
        lines.append("    mu = %s" % code)
    elif ic.kind == MEDIAN:
        lines += ["    order = numpy.argsort(y)",
                  "    cumulative = numpy.cumsum(w[order])",
                  "    mu = y[order][numpy.searchsorted(cumulative, cumulative[-1] / 2)]"]
    else:
        lines.append("    mu = numpy.average(y, weights=w)")
    lines += _range_check(module)
    margin, _ = as_code(ic.margin, "numpy", params)
    link = module.forms.document.model.link.name
    if ic.margin.is_polynomial(ic.mu):  # identity, … : every mean has a finite margin
        lines.append("    eta = float(%s)" % margin)
    else:
        lines += ['    with numpy.errstate(all="ignore"):',
                  "        eta = float(%s)" % margin,
                  "    if not numpy.isfinite(eta):  # every label 0 under a log link, every label 1 under a logit …",
                  '        raise ValueError(f"the estimated mean is {mu!r}, which the %s link maps to {eta!r}: no '
                  'finite optimal "' % link,
                  '                         "margin; give a base margin of your own (e.g. the link of a mean inside the '
                  'range)")']
    if ic.kind not in (CLOSED, MEDIAN):
        total = "numpy.sum(w * grad(%%s, y%s))" % module.passing()
        lines += ["    # no closed form: Σ w·∂ℓ/∂η = 0 by bracketing from g(ȳ), then bisection to machine precision",
                  "    def total(e):",
                  "        return %s" % (total % "numpy.full(y.shape, e)"),
                  "    a, fa = eta, total(eta)",
                  "    step, direction = 0.5 * (1 + abs(eta)), -1.0 if fa > 0 else 1.0",
                  "    for _ in range(400):",
                  "        b = a + direction * step",
                  "        fb = total(b)",
                  "        if not numpy.isfinite(fb):  # outside the link's domain: a shorter step",
                  "            step /= 2",
                  "        elif fb == 0 or (fb > 0) != (fa > 0):",
                  "            break",
                  "        else:",
                  "            a, fa, step = b, fb, 2 * step",
                  "    for _ in range(200):",
                  "        middle = (a + b) / 2",
                  "        if middle in (a, b):",
                  "            break",
                  "        fm = total(middle)",
                  "        if (fm > 0) == (fa > 0):",
                  "            a, fa = middle, fm",
                  "        else:",
                  "            b = middle",
                  "    eta = (a + b) / 2"]
    lines.append("    return eta")
    doc = '    """%s"""' % "\n    ".join(textwrap.wrap("The optimal constant margin of an intercept-only model: %s."
                                                        % ic.words(), WIDTH - 8))
    return "def %s(%s):\n%s\n%s\n" % (name, module.signature("y", "weight=None", params=module.intercept_params()),
                                       doc, "\n".join(lines))


def _range_check(module: Module) -> list:
    """Where the link reaches only part of the family's means (geometric-logit: μ < 1), a sample whose optimal
    mean lies outside has no finite optimal margin: say so instead of returning nan."""
    model = module.forms.document.model
    reach = model.link.inverse_range.intersect(model.family.mean_domain)
    if reach == model.family.mean_domain or not isinstance(reach, sp.Interval):
        return []
    lo, hi = (float(v) for v in (reach.start, reach.end))
    test = " and ".join(t for t in ("mu %s %r" % (">" if reach.left_open else ">=", lo) if lo != float("-inf") else "",
                                    "mu %s %r" % ("<" if reach.right_open else "<=", hi) if hi != float("inf") else "")
                        if t)
    return ["    if not (%s):" % test,
            "        raise ValueError(f'the estimated mean {mu!r} is outside what the %s link reaches (%s): no finite "
            "optimal margin')" % (model.link.name, S.inline(reach))]


def _classes_objective(library: str) -> str:
    """A multi-class objective: class labels 0…K−1 as one-hot rows (η has K columns), the gradient and Hessian,
    weighted row by row, in every form ``library`` calls one."""
    from .conventions import arguments_function, classes_function

    return "\n".join([
        classes_function(), "",
        arguments_function(library, labels="y"), "",
        "def objective(y_true, y_pred, sample_weight=None):",
        '    """(grad, hess) of shape (n, K) in the raw margins; the labels are the classes 0…K−1; weighted row by row',
        '    (see _arguments for the forms)."""',
        "    eta, labels, w, _ = _arguments(y_true, y_pred, sample_weight)",
        "    eta = eta.reshape(numpy.size(labels), -1)",
        "    y = numpy.eye(eta.shape[1])[_classes(labels, eta.shape[1])]",
        "    g, h = grad(eta, y), hess(eta, y)",
        "    if w is not None:",
        "        g, h = g * w[:, None], h * w[:, None]",
        "    return g, h", ""])


def _multiclass_intercept(name: str) -> str:
    """The optimal constant margins of a softmax: η̂_k = log p̂_k, the weighted class frequencies (any common shift
    would do); a class that never occurs has none."""
    return ('def %s(y, weight=None, classes=None):\n'
            '    """The optimal constant margins, one per class: log of the weighted class frequencies (the softmax\n'
            '    maximum-likelihood estimate of an intercept-only model). y holds class labels 0…K−1; tile the result\n'
            '    to (n, K) for the base margin."""\n'
            '    y = _classes(y, classes or int(numpy.max(y)) + 1)\n'
            '    w = numpy.ones(y.shape) if weight is None or numpy.size(weight) == 0 else numpy.asarray(weight, float)\n'
            '    counts = numpy.bincount(y, weights=w, minlength=classes or 0)\n'
            '    if numpy.any(counts <= 0):\n'
            '        raise ValueError(f"class {int(numpy.argmin(counts))} never occurs: its optimal margin is −inf")\n'
            '    return numpy.log(counts / counts.sum())\n') % name


def _nll_function(module: Module) -> tuple[str, set]:
    """nll(eta, y): the full negative log-likelihood per observation, nothing dropped (the metric's)."""
    f = module.forms
    text, used = module.code(f.nll, "numpy", module.metric_params)
    # the metric's own helpers: the loss drops the normaliser (Z(δ), the Tweedie's a(y, φ)) they compute
    done, _ = _helper_list(module, "numpy", (f.loss, f.grad, f.hess))
    needed, more = _helper_list(module, "numpy", (f.nll,))
    helpers = "".join(text + "\n\n" for text in needed if text not in done)
    used |= more | ({"scipy"} if "_tweedie_log_a" in helpers else set())
    return helpers + ('def nll(%s):\n    """The full negative log-likelihood per observation, nothing dropped: scipy\'s '
            '−logpdf."""\n%s    return %s\n' % (module.signature("eta", "y", params=module.metric_params),
                                               _checked_arrays(module), wrapped(_shaped(text, f.nll, "numpy"), 11))), used


def _boosting(module: Module, library: str) -> str:
    """A boosting module: the per-observation functions, the full negative log-likelihood, the objective and the
    metric in every form ``library`` calls them, the optimal constant margin."""
    from .conventions import arguments_function, metric_maker, objective_maker

    body, used = _numpy_functions(module)
    intercept = "base_margin" if library == "xgboost" else "init_score"
    if module.one_hot:
        parts = [body, _classes_objective(library), _multiclass_intercept(intercept)]
        return _header(module, _imports(used, "numpy")) + "\n\n" + "\n\n".join(parts)
    nll, more = _nll_function(module)
    fused, fused_used = _fused(module)
    used |= more | fused_used
    body += "\n\n" + fused
    metric_params = module.metric_params
    from .conventions import bounds, label_call

    # labels whose support ends at a parameter (c) are checked where c is in scope: by loss, grad, hess and nll
    checked = "numpy.asarray(y, dtype=float)" if bounds(module.family.support) else "_labels(y)"
    parts = [body, nll, arguments_function(library, labels=checked),
             objective_maker(module.signature(), module.passing(), module.defaults(), module.call(),
                             spread=intercept if module.forms.piecewise_linear else None,
                             spread_passing=module.passing(module.intercept_params()),
                             fisher=module.forms.hess != 1,
                             labels=label_call(module.family) if bounds(module.family.support) else ""),
             metric_maker(library, module.signature(params=metric_params), module.passing(metric_params),
                          module.defaults(metric_params), module.call(metric_params)),
             _intercept_code(module, intercept)]
    return _header(module, _imports(used, "numpy")) + "\n\n" + "\n\n".join(parts)


def xgboost_module(module: Module) -> str:
    return _boosting(module, "xgboost")


def lightgbm_module(module: Module) -> str:
    return _boosting(module, "lightgbm")
