"""Recognising the loss: the derived per-observation loss proved equal to a named textbook form."""
from __future__ import annotations

import sympy as sp

from ..losses import NAMED_LOSSES, NamedLoss
from ..model import Model
from ..verification.prover import Claim, prove, quick_reject


def recognise(model: Model, loss_summand: sp.Expr) -> NamedLoss | None:
    """The NamedLoss whose form equals ``loss_summand`` (per observation, no 1/n), or None.

    A cheap three-point numeric test rules most candidates out; the survivor is proved.
    """
    mean, values = model.mean(), model.values_in_eta()  # a predicted σ is g⁻¹ of its η here
    for named in NAMED_LOSSES:
        if named.one_hot != model.one_hot or any(p not in values for p in named.needs):
            continue
        candidate = named.form(model.y_obs(), mean, values)
        claim = Claim("zero", model.concretize(loss_summand - candidate), "matches %s" % named.key)
        if quick_reject(claim, model):
            continue
        if prove(claim, model).ok:
            return named
    return None
