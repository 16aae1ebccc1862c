"""How a generated boosting module is called, and what it refuses: the code shared by every boosting layout.

XGBoost and LightGBM each call a custom objective (and metric) in two ways — the training function with the
margins and its data object, the scikit-learn estimator with the labels first:

=====================  ===========================================  ============================================
library                training function                            scikit-learn estimator
=====================  ===========================================  ============================================
XGBoost                ``xgb.train(…, obj=, custom_metric=)``:       ``XGBRegressor(objective=, eval_metric=)``:
                       ``(predt, dtrain)``                          ``(y_true, y_pred)``, ``sample_weight=`` by
                                                                    keyword when the data has weights
LightGBM               ``lgb.train({"objective": …}, feval=)``:      ``LGBMRegressor(objective=, eval_metric=)``:
                       ``(preds, train_data)``                      ``(y_true, y_pred, weight)`` (3 parameters)
=====================  ===========================================  ============================================

One function with the parameters ``(y_true, y_pred, sample_weight=None)`` serves all four: the data object is
recognised by its ``get_label``, three parameters make LightGBM's estimator pass the weights, and the name
``sample_weight`` makes XGBoost's estimator pass them. A metric returns what each caller expects: XGBoost's
training function a ``(name, value)`` pair, its estimator the value, LightGBM a ``(name, value, is_higher_better)``
triple.

Labels are checked against the family's support, vectorised, before anything is computed: ``count:poisson`` and
``binary:logistic`` refuse labels outside theirs, and so does the generated code — naming the first one.
"""
from __future__ import annotations

import sympy as sp

from .. import symbolic as S

#: the two boosting libraries: how their data objects are called in the comments, and what a metric returns
_LIBRARIES = {
    "xgboost": ("xgb.train(…, obj=objective, custom_metric=metric): (predt, dtrain)",
                "XGBRegressor(objective=objective, eval_metric=metric): (y_true, y_pred), sample_weight= by keyword",
                '("nll", value) if data is not None else value'),
    "lightgbm": ("lgb.train({\"objective\": objective, …}, feval=metric): (preds, train_data)",
                 "LGBMRegressor(objective=objective, eval_metric=metric): (y_true, y_pred, weight)",
                 '"nll", value, False'),
}


def python_name(name: str) -> str:
    """A parameter's keyword in the module: its name, with a trailing _ where that is a Python keyword (the inverse
    Gaussian's lambda), as scipy and PEP 8 do."""
    import keyword

    return name + "_" if keyword.iskeyword(name) else name


def bounds(support: sp.Set) -> tuple:
    """The parameters a support's ends are (the Tobit's censoring point c): the label check takes them too."""
    if not isinstance(support, sp.Interval):
        return ()
    return tuple(sorted((e for e in (support.start, support.end) if isinstance(e, sp.Symbol)), key=str))


def label_call(family, labels: str = "y") -> str:
    """How a function that has the family's parameters in scope checks its ``labels``: ``_labels(y)`` or
    ``_labels(y, c=c)``."""
    names = [python_name(b.name) for b in bounds(family.support)]
    return "_labels(%s%s)" % (labels, "".join(", %s=%s" % (n, n) for n in names))


def _test(support: sp.Set) -> tuple[str, str]:
    """(a vectorised NumPy test of y ∈ support, the support in words) — finite labels at least; an end that is a
    parameter (c) is tested where the caller passes it."""
    finite = "numpy.isfinite(y)"
    if support == sp.S.Reals:
        return finite, "finite real numbers"
    if support == sp.S.Naturals0:
        return "%s & (y >= 0) & (y == numpy.floor(y))" % finite, "counts 0, 1, 2, …"
    if isinstance(support, sp.FiniteSet):
        values = sorted(support, key=float)
        return " | ".join("(y == %r)" % float(v) for v in values), " or ".join(str(v) for v in values)
    if isinstance(support, sp.Interval):
        parts = [finite]
        for end, op in ((support.start, ">" if support.left_open else ">="),
                        (support.end, "<" if support.right_open else "<=")):
            if isinstance(end, sp.Symbol):
                name = python_name(end.name)
                parts.append("(y %s %s)" % (op, name))
            elif end.is_finite:
                parts.append("(y %s %r)" % (op, float(end)))
        words = {(0, sp.oo, True): "positive numbers", (0, 1, True): "numbers strictly between 0 and 1"}
        key = (support.start, support.end, bool(support.left_open and support.right_open))
        return " & ".join(parts), words.get(key, "numbers in %s" % S.inline(support))
    return finite, "finite real numbers"


def _test_and_words(family, library: str = "numpy") -> tuple[str, str]:
    test, words = _test(family.support)
    ends = bounds(family.support)
    if ends:
        words = words.replace(" ".join(str(e) for e in ends), "{%s}" % ", ".join(str(e) for e in ends))
    return test.replace("numpy.", library + "."), words


def torch_labels_function(family) -> str:
    """``_labels(y)`` for PyTorch: the float target as it is, or a ValueError naming the first label outside the
    family's support (one reduction per call; on a GPU, one synchronisation)."""
    test, words = _test_and_words(family, "torch")
    return "\n".join([
        "def _labels(y%s):" % "".join(", %s" % python_name(e.name) for e in bounds(family.support)),
        '    """y itself; a ValueError naming the first label outside the %s family\'s support (one check per' % family.name,
        '    call: on a GPU, one synchronisation)."""',
        "    inside = %s" % test,
        "    if not bool(inside.all()):",
        "        first = int(torch.nonzero(~inside.flatten())[0])",
        "        label = float(y.flatten()[first])",
        '        raise ValueError(f"label {first} is {label!r}: the %s family\'s labels are %s; "' % (family.name, words),
        '                         "fix or drop that row")',
        "    return y",
        ""])


def labels_function(family) -> str:
    """``_labels(y)``: y as a float array, every label in the family's support, or a ValueError naming the first."""
    test, words = _test_and_words(family)
    ends = bounds(family.support)
    return "\n".join([
        "def _labels(y%s):" % "".join(", %s" % python_name(e.name) for e in ends),
        '    """y as a float array (float32 labels as they come, not copied); a ValueError naming the first label',
        '    outside the %s family\'s support."""' % family.name,
        "    y = numpy.asarray(y)",
        '    if y.dtype.kind != "f":',
        "        y = y.astype(float)",
        "    inside = %s" % test,
        "    if not inside.all():",
        "        first = int(numpy.flatnonzero(~inside.ravel())[0])",
        "        label = float(y.ravel()[first])",
        '        raise ValueError(f"label {first} is {label!r}: the %s family\'s labels are %s; "' % (family.name, words),
        '                         "fix or drop that row")',
        "    return y",
        ""])


def classes_function() -> str:
    """``_classes(labels, K)``: class labels 0…K−1 as integers, or a ValueError naming the first that is not one."""
    return "\n".join([
        "def _classes(labels, K):",
        '    """The class labels as integers 0…K−1; a ValueError naming the first that is not one."""',
        "    labels = numpy.asarray(labels, dtype=float)",
        "    outside = ~(numpy.isfinite(labels) & (labels >= 0) & (labels < K) & (labels == numpy.floor(labels)))",
        "    if outside.any():",
        "        first = int(numpy.flatnonzero(outside)[0])",
        '        raise ValueError(f"label {first} is {labels[first]!r}: the labels are the classes 0, 1, …, {K - 1} "',
        '                         f"(K = {K})")',
        "    return labels.astype(int)",
        ""])


def arguments_function(library: str, labels: str = "_labels(y)") -> str:
    """``_arguments(y_true, y_pred, sample_weight)`` → (margins, labels, weights or None, the data object or None),
    however ``library`` calls an objective or a metric."""
    train, estimator, _ = _LIBRARIES[library]
    return "\n".join([
        "def _arguments(y_true, y_pred, sample_weight):",
        '    """(margins, labels, weights or None, the data object or None) however %s calls an objective or a'
        % ("XGBoost" if library == "xgboost" else "LightGBM"),
        "    metric:",
        "    %s;" % train,
        '    %s."""' % estimator,
        "    data = y_pred if hasattr(y_pred, \"get_label\") else None",
        "    if data is not None:",
        "        margins, y, w = y_true, data.get_label(), data.get_weight()",
        "    else:",
        "        margins, y, w = y_pred, y_true, sample_weight",
        "    w = None if w is None or numpy.size(w) == 0 else numpy.asarray(w, dtype=float)",
        "    return numpy.asarray(margins, dtype=float), %s, w, data" % labels,
        ""])


def _maker(name: str, signature: str, inner: list, doc: str, defaults: bool, call: str) -> str:
    """``make_<name>(**parameters)`` returning the function, and the module-level function itself when every
    parameter has a default (else a comment saying how to make it)."""
    lines = ["def make_%s(%s):" % (name, signature),
             '    """%s%s, in every form the library calls one."""' % (doc, " with these parameter values"
                                                                     if signature else ""), ""]
    lines += ["    " + line if line else "" for line in inner]
    lines += ["", "    return %s" % name, "", ""]
    if defaults:
        lines += ["%s = make_%s()" % (name, name)]
    else:
        lines += ["# the recipe leaves a parameter to you: %s = make_%s(%s)" % (name, name, call)]
    return "\n".join(lines) + "\n"


def objective_maker(signature: str, passing: str, defaults: bool, call: str, spread: str | None = None,
                    spread_passing: str = "", fisher: bool = False, labels: str = "") -> str:
    """``make_objective`` and ``objective``: (grad, hess) per row in the raw margin, weighted row by row.

    ``spread``: the name of the module's optimal-constant-margin function, for a piecewise-linear loss, whose Hessian
    then follows the data's unit, computed once at the first call from the labels around that margin. With the
    Fisher information (``fisher``: the density at the kink, by the family's moments) the Hessian is F/L̄, L̄ the mean
    loss there — the loss is ∝ 1/σ, so this puts the labels' fitted scale σ̂ = σ·L̄ in for one σ; with a constant 1 it
    is mean |∂ℓ/∂η| over s, the labels' mean absolute deviation around the margin (equal for the Laplace). Either
    way a leaf moves η by about the labels' own scale times the balance of the signs, whatever unit y is in.

    ``labels``: the label check to make here, where a support's end is a parameter (the Tobit's c) that
    ``_arguments`` cannot see; the fused ``_grad_hess`` takes checked labels."""
    inner = ["def objective(y_true, y_pred, sample_weight=None):",
             '    """(grad, hess) in the raw margin, weighted by the rows\' weights (see _arguments for the forms)."""',
             "    eta, y, w, _ = _arguments(y_true, y_pred, sample_weight)",
             "    g, h = _grad_hess(eta, y%s)" % passing]
    if labels:
        inner[3:3] = ["    y = %s" % labels]
    if spread and fisher:
        inner[3:3] = ["    if not unit:  # once, from the labels: the mean loss at the optimal constant margin",
                      "        centre = numpy.full(y.shape, %s(y, w%s))" % (spread, spread_passing),
                      "        mean = numpy.average(loss(centre, y%s), weights=w)" % passing,
                      "        unit.append(1 / mean if mean > 0 else 1.0)"]
        inner += ["    h = h * unit[0]"]
    elif spread:
        inner[3:3] = ["    if not unit:  # once, from the labels: the spread s and the gradient's size at the margin",
                      "        centre = numpy.full(y.shape, %s(y, w%s))" % (spread, spread_passing),
                      "        s = numpy.average(numpy.abs(y - centre), weights=w)",
                      "        size = numpy.average(numpy.abs(grad(centre, y%s)), weights=w)" % passing,
                      "        unit.append(size / s if s > 0 and size > 0 else 1.0)"]
        inner += ["    h = h * unit[0]"]
    inner += ["    if w is not None:",
              "        g, h = g * w, h * w",
              "    return g, h"]
    if spread:
        inner = ["unit = []  # the Hessian's scale from the labels, set at the first call"] + inner
    return _maker("objective", signature, inner, "An objective", defaults, call)


def objective_from_hessian(signature: str, passing: str, defaults: bool, call: str, hessian: str,
                           P: int, words: str) -> str:
    """The several-output objective: the margins as (n, P), the Hessian ``hessian`` (its diagonal, (n, P)),
    described by ``words``."""
    inner = ["def objective(y_true, y_pred, sample_weight=None):",
             '    """(grad, hess), (n, %d) each, in the raw margins, weighted (see _arguments for the forms); the' % P,
             '    Hessian is %s."""' % words,
             "    eta, y, w, _ = _arguments(y_true, y_pred, sample_weight)",
             "    eta = eta.reshape(y.size, %d)" % P,
             "    g, h = grad(eta, y%s), %s" % (passing, hessian),
             "    if w is not None:",
             "        g, h = g * w[:, None], h * w[:, None]",
             "    return g, h"]
    return _maker("objective", signature, inner, "An objective", defaults, call)


def metric_maker(library: str, signature: str, passing: str, defaults: bool, call: str, reshape: str = "") -> str:
    """``make_metric`` and ``metric``: the weighted mean of the full negative log-likelihood (``nll``)."""
    _, _, returned = _LIBRARIES[library]
    inner = ["def metric(y_true, y_pred, sample_weight=None):",
             '    """The weighted mean of the full negative log-likelihood, nothing dropped (scipy\'s −logpdf):',
             '    comparable across models. The margins are raw: use it with this module\'s objective."""',
             "    eta, y, w, data = _arguments(y_true, y_pred, sample_weight)"]
    if reshape:
        inner.append("    eta = %s" % reshape)
    inner += ["    value = float(numpy.average(nll(eta, y%s), weights=w))" % passing,
              "    return %s" % returned]
    if "data" not in returned:  # LightGBM: the same triple for both forms
        inner = [line.replace("w, data = _arguments", "w, _ = _arguments") for line in inner]
    return _maker("metric", signature, inner, "A metric", defaults, call)
