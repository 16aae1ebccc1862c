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
from .check_functions import huber, pinball


@dataclass(frozen=True)
class NamedLoss:
    key: str
    mean_name: str
    sum_name: str
    form: Callable  # (y, yhat, params) -> per-observation loss
    one_hot: bool = False
    needs: tuple = ()  # nuisance parameters the form mentions
    #: the form as a textbook prints it (held, e.g. −[y log ŷ + (1 − y) log(1 − ŷ)]); None: ``form`` prints so
    shown: Callable | None = None
    #: a plausible wrong option for a "which loss?" question about any outcome (the cosine loss of angles is not:
    #: −cos(y − ŷ) of a 0/1 label is no answer anyone would weigh)
    distractor: bool = True

    def name(self, reduction: str) -> str:
        return self.mean_name if reduction == "mean" else self.sum_name

    def yhat(self, model) -> sp.Expr:
        """ŷ_i (ŷ_ik for a one-hot outcome, also for a scalar form applied class by class)."""
        return S.yhat[S.i, S.k] if model.one_hot else S.yhat[S.i]

    def textbook(self, model, params: dict | None = None) -> sp.Expr:
        """One observation's loss in y_i and ŷ_i, as a textbook prints it: (y_i − ŷ_i)² (``params``: the
        parameters it names, the model's by default)."""
        build = self.shown or self.form
        return build(model.y_obs(), self.yhat(model), params if params is not None else model.values())


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
        lambda y, m, p: -sp.Sum(y * sp.log(m), (S.k, 1, S.K)), one_hot=True,
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
    NamedLoss(
        "cauchy", "Cauchy (Lorentzian) loss, mean over the sample", "Cauchy (Lorentzian) loss, summed over the sample",
        lambda y, m, p: sp.log(1 + ((y - m) / p["gamma"]) ** 2), needs=("gamma",),
    ),
    NamedLoss(
        "pinball", "pinball (quantile) loss, mean over the sample", "pinball (quantile) loss, summed over the sample",
        lambda y, m, p: pinball(p["tau"], y - m), needs=("tau",),
    ),
    NamedLoss(
        "huber", "Huber loss, mean over the sample", "Huber loss, summed over the sample",
        lambda y, m, p: huber(p["delta"], y - m), needs=("delta",),
    ),
    NamedLoss(
        "tweedie", "Tweedie negative log-likelihood (power p), mean over the sample",
        "Tweedie negative log-likelihood (power p), summed over the sample",
        lambda y, m, p: m ** (2 - p["p"]) / (2 - p["p"]) - y * m ** (1 - p["p"]) / (1 - p["p"]), needs=("p",),
    ),
    NamedLoss(
        "tobit", "Tobit negative log-likelihood, mean over the sample",
        "Tobit negative log-likelihood, summed over the sample",
        lambda y, m, p: (-sp.KroneckerDelta(y, p["c"]) * sp.log(S.Phi((p["c"] - m) / p["sigma"]))
                         + (1 - sp.KroneckerDelta(y, p["c"])) * (y - m) ** 2 / (2 * p["sigma"] ** 2)),
        needs=("sigma", "c"), distractor=False,
    ),
    NamedLoss(
        "msle", "squared log error, mean over the sample",
        "squared log error, summed over the sample",
        lambda y, m, p: (sp.log(y) - m) ** 2, distractor=False,
    ),
    NamedLoss(
        "cosine", "cosine loss, mean over the sample", "cosine loss, summed over the sample",
        lambda y, m, p: -sp.cos(y - m), distractor=False,
    ),
]
