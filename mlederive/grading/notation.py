"""A student's names → the recipe's model: yᵢ, ŷᵢ/μᵢ/pᵢ (the mean, g⁻¹(ηᵢ)), ηᵢ/zᵢ/f(xᵢ) and θᵀxᵢ/wᵀxᵢ/xᵢᵀβ (the
linear predictor ηᵢ), σ and the family's other parameters, n, and C or const for a dropped constant; and the left-hand
side a student writes (L, ℓ, J, E, NLL, log L, −log L, p(𝒟 | θ), ∂L/∂w; 𝓛, a loss in one book and the likelihood in
another, says nothing) → what the line says it is."""
from __future__ import annotations

import re

import sympy as sp

from .. import symbolic as S

#: names of the mean, the linear predictor, and a dropped constant
MEANS = ("yhat", "muhat", "mu", "phat", "p", "pihat", "lambda", "lambdahat", "m")
PREDICTORS = ("eta", "z", "f", "s", "a")
CONSTANTS = ("C", "const", "c", "K")
#: a sum's index that runs over the classes of a one-hot outcome
CLASS_INDICES = ("k", "c")
#: left-hand names: the likelihood, the log-likelihood, a loss
LIKELIHOOD = ("L", "Lik")
LOG_LIKELIHOOD = ("ell", "l", "LL")
LOSS = ("J", "E", "NLL", "MSE", "SSE", "BCE", "CE", "MAE", "R", "Loss")


def _split(name: str) -> tuple[str, str]:
    """y_i → (y, i); yhat_i → (yhat, i); sigma → (sigma, '')."""
    base, _, sub = name.partition("_")
    return base, sub.strip("{}")


def renamed(expr: sp.Expr, names: dict | None) -> sp.Expr:
    """``expr`` with an exam variant's letters put back to the engine's (``names``: {"t": "y", "u": "x"}): tᵢ, t̂ᵢ,
    wᵀuᵢ and p(tᵢ | uᵢ; w) read as yᵢ, ŷᵢ, the linear predictor and the density."""
    if not names:
        return expr
    return expr.xreplace({s: sp.Symbol(_renamed(s.name, names), **s.assumptions0)
                          for s in expr.free_symbols if isinstance(s, sp.Symbol)})


def _renamed(name: str, names: dict) -> str:
    dot = re.fullmatch(r"dot\((\w+), (\w+)\)", name)
    if dot:  # the linear predictor: the input's name last, as the reader writes it
        parts = sorted((_renamed(p, names) for p in dot.groups()), key=lambda n: n.startswith("x"))
        return "dot(%s, %s)" % tuple(parts)
    label = re.fullmatch(r"(\w+)\((.*)\)", name)
    if label:  # p(t_i | u_i; w)
        inside = re.sub(r"[A-Za-z]+", lambda m: names.get(m.group(0), m.group(0)), label.group(2))
        return "%s(%s)" % (label.group(1), inside)
    base, sep, sub = name.partition("_")
    stem = re.sub(r"(hat|bar|tilde)$", "", base)
    return names[stem] + base[len(stem):] + sep + sub if stem in names else name


def model_form(expr: sp.Expr, model) -> sp.Expr:
    """``expr`` (as read) in the model's symbols: sums over the model's i from 1 to n (over its classes k from 1 to K,
    for a one-hot outcome: a sum whose index is k or c, or that runs to K), and the names of one row indexed by
    the row (and class) the student's subscript names."""
    index_map = {}
    for total in expr.atoms(sp.Sum, sp.Product):
        for var, _, upper in total.limits:
            index_map[var] = S.k if model.one_hot and _over_classes(var, upper) else S.i
    out = expr.xreplace(index_map)  # one pass: an index is put in, never into itself
    return out.xreplace({s: _symbol(s, model) for s in out.free_symbols if isinstance(s, sp.Symbol)})


def _over_classes(var, upper) -> bool:
    return str(var) in CLASS_INDICES or str(upper) == "K"


def _row(sub: str):
    """The row a subscript names: i (or j, k written for a row) → the model's i; a number → that row."""
    return int(sub) if sub.isdigit() else S.i


def _indices(sub: str, model) -> tuple:
    """A subscript's row and, for a one-hot outcome, its class: i → (i, k); ik or i,k → (i, k); i2 → (i, 2)."""
    parts = sub.split(",") if "," in sub else list(sub) if model.one_hot and len(sub) == 2 else [sub]
    if len(parts) != 2:
        return _row(sub), S.k
    return _row(parts[0]), int(parts[1]) if parts[1].isdigit() else S.k


def _symbol(symbol: sp.Symbol, model):
    name = symbol.name
    if name == "n":
        return S.n
    if name == "K" and model.one_hot:
        return S.K
    dot = re.fullmatch(r"dot\((\w+), x_(\w+)\)", name)
    if dot:  # θᵀxᵢ, wᵀxᵢ, xᵢᵀβ: the linear predictor
        return S.eta[_row(dot.group(2))] if not model.one_hot else symbol
    label = re.fullmatch(r"(\w+)\((.*)\)", name)
    if label:  # p(y_i | x_i; θ), f(x_i): one row's density, the model's output
        base, inside = label.groups()
        row = re.search(r"_(\w+)", inside)
        if base == "f" and row and not model.one_hot:
            return S.eta[_row(row.group(1))]
        if base == "p" and row and "y" in inside:
            return model.density(_row(row.group(1))).xreplace(model.inverses(_row(row.group(1))))
        return symbol
    base, sub = _split(name)
    params = model.values()
    if not sub:
        if base in params:
            return params[base]
        if base in CONSTANTS:
            return sp.Symbol("C", real=True)
        return symbol
    if model.one_hot:
        return _one_hot_symbol(base, *_indices(sub, model), symbol, model)
    row = _row(sub)
    if base == "y":
        return S.y[row]
    if base == "x":
        return S.x[row]
    if base in PREDICTORS:
        return S.eta[row]
    if base in MEANS:
        return model.mean(row)
    return symbol


def _one_hot_symbol(base, row, cls, symbol, model):
    """y_ik, p_ik (ŷ_ik), η_ik (z_ik) of a one-hot outcome; x_i."""
    if base == "y":
        return S.y[row, cls]
    if base == "x":
        return S.x[row]
    if base in PREDICTORS:
        return S.eta[row, cls]
    if base in MEANS:
        return model.mean(row).xreplace({S.k: cls})
    return symbol


def left_side_kind(expr: sp.Expr) -> str | None:
    """What a left-hand side names: "likelihood", "log-likelihood", "loss", "gradient", or None (no name: the line
    is an expression alone)."""
    sign = 1
    if isinstance(expr, sp.Mul) and expr.args[0] == -1 and len(expr.args) == 2:
        sign, expr = -1, expr.args[1]
    if isinstance(expr, sp.Derivative):
        return "gradient"
    is_log = isinstance(expr, sp.log)
    if is_log:
        expr = expr.args[0]
    if not isinstance(expr, sp.Symbol):
        return None
    if re.fullmatch(r"p\((mathcal\{D\}|calD|D)(?![A-Za-z0-9]).*\)", expr.name):  # p(𝒟 | θ): the likelihood of the data
        return "log-likelihood" if is_log and sign > 0 else "loss" if is_log else "likelihood"
    base = _split(re.sub(r"\(.*\)$", "", expr.name))[0]
    if base.startswith("cal"):  # 𝓛: the loss in one book, the likelihood in another — the relation decides
        return None
    base = re.sub(r"(hat|bar|tilde)$", "", base)
    if base in LIKELIHOOD:
        if is_log:
            return "log-likelihood" if sign > 0 else "loss"
        return "likelihood"
    if base in LOG_LIKELIHOOD and not is_log:
        return "log-likelihood" if sign > 0 else "loss"
    if base in LOSS and not is_log:
        return "loss"
    return None
