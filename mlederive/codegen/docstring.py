"""The generated module's docstring: the assumption, the loss and its scale, what is computed and how."""
from __future__ import annotations

import sympy as sp

from .. import symbolic as S
from ..derivation.implementation import CURVATURE, FISHER, INDEFINITE, SURROGATE
from ..derivation.likelihood import describe_model
from ..prose import join, prose
from ..render.common import plain_text
from ..version import __version__

WIDTH = 100

def _hessian_words(forms) -> str:
    """What the Hessian is, and the reason proved or seen for it (mlederive.derivation.implementation)."""
    reason = plain_text(forms.reason) if forms.reason is not None else ""
    if forms.hess_kind == CURVATURE:
        return "the curvature ∂²ℓ/∂η², proved positive on the whole domain"
    if forms.hess_kind == FISHER:
        return ("Fisher scoring — %s, so the Hessian is its expectation over y, the Fisher information E[∂²ℓ/∂η²] "
                "(the variance of the score, never negative)" % reason)
    if forms.hess_kind == SURROGATE and forms.piecewise_linear and forms.hess != 1:
        return ("the Fisher information %s, scaled by the labels: %s — a δ at the kink — but its expectation over y, "
                "the density of y at the kink times the jump of the gradient, is the curvature of the expected loss, what a "
                "Newton step divides by. "
                "The objective divides it by L̄, the mean loss at the optimal constant margin, computed once from the "
                "labels at the first call: the loss is proportional to 1/{s}, so this puts the labels' fitted scale "
                "{s}̂ = {s}·L̄ in for one {s}, and a leaf moves η by about the labels' own scale times the balance of "
                "the signs, whatever unit y is in".format(s=_scale_name(forms)) % (_math(forms.hess), reason))
    if forms.hess_kind == SURROGATE and forms.piecewise_linear:
        return ("a constant surrogate (the gradient is exact): %s. In the boosting objective the constant follows "
                "the data's unit — the mean |∂ℓ/∂η| over s, the labels' mean absolute deviation around the optimal "
                "constant margin, computed once from the labels at the first call — so that a leaf moves η by about "
                "s times the balance of the signs, whatever unit y is in (the numpy module's hess is 1)" % reason)
    if forms.hess_kind == SURROGATE:
        return "a constant surrogate, 1 (the gradient is exact): %s" % reason
    return "the exact curvature ∂²ℓ/∂η² (the family has no Fisher information here): %s" % reason


def _scale_name(forms) -> str:
    """The family's scale parameter as printed (b, σ), or "σ"."""
    from sympy.printing.pretty.pretty_symbology import pretty_symbol

    family = forms.document.model.family
    return next((pretty_symbol(p.symbol.name) for p in family.params if p.meaning == "scale"), "σ")


def hessian_line(forms) -> str:
    """One line for the terminal: what the Hessian is (Fisher scoring, a surrogate …) and why."""
    if forms.hess_kind in (SURROGATE, INDEFINITE):  # the step's own warning says why
        return "warning: %s" % "; ".join(plain_text(w) for w in forms.warnings)
    if forms.hess_kind == CURVATURE:
        return "the curvature, proved positive"
    return "Fisher scoring, because %s; the Fisher information is never negative" % plain_text(forms.reason)


def _math(expr) -> str:
    """One observation's expression as a reader writes it: y and η without the index i."""
    plain = expr.xreplace({S.y[S.i]: sp.Symbol("y", real=True), S.eta[S.i]: sp.Symbol("eta", real=True)})
    return plain_text(prose("$%s$", plain))


def _wrapped(text: str, indent: str = "    ") -> list:
    import textwrap

    return textwrap.wrap(text, WIDTH, initial_indent=indent, subsequent_indent=indent, break_long_words=False,
                         break_on_hyphens=False) or [indent.rstrip()]


def _scale(recipe, target, forms) -> str:
    d = forms.document
    step = next(s for s in reversed(d.steps) if s.id in ("loss", "negate"))
    factor = step.payload.factor if step.relation == "rescaled" else sp.S.One
    dropped = d.step("drop-constants").payload.dropped or ()
    terms = [S.to_summand(t) for t in dropped]
    gone = "without the log-likelihood's θ-free terms (%s)" % ", ".join(_math(t) for t in terms) if terms else \
        "which has no θ-free term to drop"
    if target.boosting:
        phi = d.model.family.dispersion(d.model.params)
        unit = ("at unit dispersion (times φ = %s), " % _math(phi)) if phi is not None and phi != 1 else ""
        return ("The negative log-likelihood of one observation %s%s: gradient boosting is not scale-invariant "
                "(a leaf's value is −G/(H + λ)), and this is the scale of the libraries' built-in objectives."
                % (unit, gone))
    times = "" if factor == 1 else " times %s" % _math(factor)
    return ("The derivation's loss for one observation: the negative log-likelihood%s, %s. With reduction "
            "\"mean\" over the sample it is the recipe's loss%s." % (
                times, gone, "" if recipe.reduction == "mean" else " up to the factor 1/n (the recipe sums)"))


def docstring(recipe, target, forms, params, ic, fixed=(), metric_params=()) -> str:
    """The module's docstring (``fixed``: parameters the recipe learns, known for a booster, which learns η alone)."""
    d = forms.document
    lines = ["%s — %s." % (recipe.title, target.library), ""]
    lines += _wrapped("Functions: %s." % target.usage, "")
    lines += [""] + _wrapped("Generated by mlederive %s: `mlederive codegen %s --target %s`. Every form below is a "
                             "verified step of the derivation: `mlederive codegen %s --explain`. Regenerate rather "
                             "than edit." % (__version__, recipe.name, target.name, recipe.name), "")
    lines += ["", "Assumption"] + _wrapped(plain_text(describe_model(d.model)) + " η is the model's raw output.")
    plain = forms.scale * d.loss_summand
    lines += ["", "Loss per observation"] + _wrapped("ℓ(η, y) = %s" % _math(plain)) + _wrapped(
        _scale(recipe, target, forms))
    if forms.loss != plain:
        lines += ["", "Computed as (stable primitives, proved equal)"] + _wrapped(_math(forms.loss))
    lines += ["", "Gradient"] + _wrapped("∂ℓ/∂η = %s" % _math(forms.grad))
    said = _hessian_words(forms)
    said = said[0].upper() + said[1:]
    lines += ["", "Hessian"] + _wrapped(said + "." if forms.hess_kind == SURROGATE else
                                        "%s: %s" % (said, _math(forms.hess)))
    named = list(params) + [p for p in metric_params if p.name not in {q.name for q in params}]
    if named:
        lines += ["", "Parameters (keyword arguments)"]
        for p in named:
            value = "learned with θ: pass its current value" if recipe.parameters.get(p.name.rstrip("_")) == "learned" else \
                "known, %r (the recipe's value)" % p.default if p.default is not None else \
                "known, and the recipe gives no value: a required keyword (make_objective(%s=…))" % p.name \
                if p in params and target.boosting else \
                "known, and the recipe gives no value: a required keyword%s" % (
                    " of the metric (make_metric(%s=…))" % p.name if p not in params else "")
            lines += _wrapped("%s — %s; %s." % (p.name, p.meaning, value))
    if forms.nll is not None:
        lines += ["", "Metric"] + _wrapped(
            "metric is the weighted mean of the full negative log-likelihood, nothing dropped — nll(η, y) = %s — "
            "equal to scipy's −logpdf, so its numbers compare across models (the library's built-in metrics read "
            "raw margins as predictions when the objective is custom)." % _math(forms.nll))
    if target.boosting:
        lines += ["", "Calling forms"] + _wrapped(
            "objective and metric take (y_true, y_pred, sample_weight=None) and also (margins, data): "
            "%s. Labels outside the family's support raise a ValueError naming the first." % (
                "xgb.train(params, dtrain, obj=objective, custom_metric=metric) and "
                "XGBRegressor(objective=objective, eval_metric=metric)" if target.name == "xgboost" else
                "lgb.train({'objective': objective, …}, data, feval=metric) and "
                "LGBMRegressor(objective=objective, eval_metric=metric)"))
    for name in fixed:
        keyword = any(p.name == name for p in params)
        lines += [""] + _wrapped("The recipe learns %s with θ; a booster learns η alone, so here %s." % (
            name, "it is a keyword argument, fixed at the value given" if keyword else
            "it is known — and drops out of the objective at unit dispersion"), "")
    if recipe.prior:
        lines += [""] + _wrapped("The recipe's %s prior is a penalty on the weights θ, not part of the per-observation "
                                 "loss: give it to the library (weight decay, reg_lambda)." % recipe.prior, "")
    if ic is not None:
        lines += ["", "Base margin"] + _wrapped("The optimal constant margin: %s." % ic.words())
    elif target.boosting:  # the categorical: K margins per row
        lines += ["", "Multi-class"] + _wrapped(
            "η has K columns, one per class, and the labels are the classes 0…K−1. The Hessian is the exact "
            "diagonal p_k(1 − p_k); XGBoost's multi:softprob uses 2·p_k(1 − p_k) and LightGBM's multiclass "
            "K/(K − 1)·p_k(1 − p_k), more cautious steps, so the models differ from theirs by design. The optimal "
            "constant margins are log p̂_k, the weighted class frequencies.")
    return "\n".join(line.rstrip() for line in lines) + "\n"


__all__ = ["docstring", "join"]
