"""A small library of named losses, used to recognise where a derivation ends.

Each form is written per observation in the target y and the prediction ŷ
(the mean g⁻¹(η)); the reduction (mean or sum over the sample) picks the name.
Recognition is a proof, not a pattern match: the derived per-observation loss
must be shown equal to the named form by the verifier.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import sympy as sp

from . import symbolic as S
from .prose import prose


@dataclass(frozen=True)
class NamedLoss:
    key: str
    mean_name: str
    sum_name: str
    form: Callable  # (y, yhat, params) -> per-observation loss
    vector: bool = False
    needs: tuple = ()  # nuisance parameters the form mentions
    #: the form as a textbook prints it (held, e.g. −[y log ŷ + (1 − y) log(1 − ŷ)]); None: ``form`` prints so
    shown: Callable | None = None

    def name(self, reduction: str) -> str:
        return self.mean_name if reduction == "mean" else self.sum_name

    def yhat(self, model) -> sp.Expr:
        """ŷ_i (ŷ_ik for a vector outcome, also for a scalar form applied class by class)."""
        return S.yhat[S.i, S.k] if model.vector else S.yhat[S.i]

    def textbook(self, model, params: dict | None = None) -> sp.Expr:
        """One observation's loss in y_i and ŷ_i, as a textbook prints it: (y_i − ŷ_i)² (``params``: the
        parameters it names, the model's by default)."""
        build = self.shown or self.form
        return build(model.y_obs(), self.yhat(model), params if params is not None else model.params)


def _bce_shown(y, m, p):
    return sp.Mul(-1, sp.Add(y * sp.log(m), (1 - y) * sp.log(1 - m), evaluate=False), evaluate=False)


NAMED_LOSSES = [
    NamedLoss("mse", "mean squared error (MSE)", "sum of squared errors (SSE)", lambda y, m, p: (y - m) ** 2),
    NamedLoss("mae", "mean absolute error (MAE)", "sum of absolute errors", lambda y, m, p: sp.Abs(y - m)),
    NamedLoss(
        "bce", "binary cross-entropy (BCE), mean over the sample", "binary cross-entropy (BCE), summed over the sample",
        lambda y, m, p: -(y * sp.log(m) + (1 - y) * sp.log(1 - m)), shown=_bce_shown,
    ),
    NamedLoss(
        "ce", "cross-entropy (CE), mean over the sample", "cross-entropy (CE), summed over the sample",
        lambda y, m, p: -sp.Sum(y * sp.log(m), (S.k, 1, S.K)), vector=True,
    ),
    NamedLoss(
        "poisson", "Poisson negative log-likelihood, mean over the sample",
        "Poisson negative log-likelihood, summed over the sample", lambda y, m, p: m - y * sp.log(m),
    ),
    NamedLoss(
        "gaussian-nll", "Gaussian negative log-likelihood, mean over the sample",
        "Gaussian negative log-likelihood, summed over the sample",
        lambda y, m, p: sp.log(p["sigma"]) + (y - m) ** 2 / (2 * p["sigma"] ** 2), needs=("sigma",),
    ),
]


#: how libraries compute each named loss: (library call, what it keeps of the dropped terms, its reduction),
#: prose templates ($…$ mathematics, `code`)
CONVENTIONS = {
    "mse": [("PyTorch", "`nn.MSELoss()`", "nothing: no $½$, no $1/σ²$, no $½·log(2πσ²)$",
             "mean (`reduction='mean'`)")],
    "mae": [("PyTorch", "`nn.L1Loss()`", "nothing: no $1/b$, no $log(2b)$", "mean (`reduction='mean'`)")],
    "bce": [("PyTorch", "`nn.BCEWithLogitsLoss()` on $η$ (stable), or `nn.BCELoss()` on $σ(η)$",
             "nothing was dropped", "mean (`reduction='mean'`)")],
    "ce": [("PyTorch", "`nn.CrossEntropyLoss()` on the logits $η$ and class indices", "nothing was dropped",
            "mean (`reduction='mean'`)")],
    "poisson": [("PyTorch", "`nn.PoissonNLLLoss(log_input=True)` on $η$", "`full=False` drops $log y!$; "
                 "`full=True` adds Stirling's approximation of $log y!$ (for $y > 1$), not the exact term",
                 "mean (`reduction='mean'`)")],
    "gaussian-nll": [("PyTorch", "`nn.GaussianNLLLoss()` with `var` $= σ²$", "`full=False` drops $½·log(2π)$ "
                      "(as here); `full=True` keeps it", "mean (`reduction='mean'`)")],
}


def statsmodels_row(family_call: str) -> tuple:
    return ("statsmodels", "%s: `loglike_obs` / `GLM.loglike`" % family_call,
            "every constant (the full log-likelihood)", "sum over the sample (`GLM.fit` maximises it)")


def conventions(named, statsmodels: str | None = None) -> list[tuple]:
    """Rows (library, call, constants kept, reduction) for a recognised loss, as prose; statsmodels last, only
    for a family statsmodels has (``statsmodels``: its call, e.g. sm.families.Poisson())."""
    rows = list(CONVENTIONS.get(named.key, [])) if named is not None else []
    rows += [statsmodels_row(statsmodels)] if statsmodels else []
    return [tuple(prose(cell) for cell in row) for row in rows]
