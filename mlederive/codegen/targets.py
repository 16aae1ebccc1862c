"""The targets of ``mlederive codegen``, in one registry: the CLI's ``--target`` choices and help come from here.

A target names the library its code is for, whether it is a gradient-boosting objective (unit-dispersion
scale, a Hessian that is never negative, a base margin), and the function that lays out its module
(":mod:`.layouts` function", imported only when used, so the CLI's start-up stays light). Adding a target is
one layout function and one entry here.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Target:
    name: str
    help: str
    #: a gradient-boosting objective: unit-dispersion scale, a Hessian that is never negative, a base margin
    boosting: bool
    #: the library the docstring names, and what the module gives
    library: str
    usage: str
    #: the function that writes the module: "module.function" in mlederive.codegen
    layout: str

    def render(self, module) -> str:
        import importlib

        where, name = self.layout.split(".")
        return getattr(importlib.import_module("." + where, __package__), name)(module)


TARGETS: dict[str, Target] = {t.name: t for t in (
    Target("numpy", "loss, grad, hess per observation", False, "NumPy",
           "loss(eta, y), grad(eta, y), hess(eta, y): per observation, vectorised over arrays", "layouts.numpy_module"),
    Target("jax", "the same, jit-compatible", False, "JAX",
           "loss(eta, y), grad(eta, y), hess(eta, y): per observation, jit-compatible", "layouts.jax_module"),
    Target("pytorch", "loss(input, target, reduction) for autograd", False, "PyTorch",
           'loss(input, target, reduction="mean"): the derivation\'s loss, differentiable by autograd',
           "pytorch.pytorch_module"),
    Target("xgboost", "objective, metric (xgb.train and the sklearn API) and base_margin(y)", True, "XGBoost",
           "objective and metric for xgb.train(..., obj=objective, custom_metric=metric) or "
           "XGBRegressor(objective=objective, eval_metric=metric); base_margin(y, weight) for the DMatrix",
           "layouts.xgboost_module"),
    Target("lightgbm", "objective, metric (lgb.train and the sklearn API) and init_score(y)", True, "LightGBM",
           "objective and metric for lgb.train({'objective': objective, …}, feval=metric) or "
           "LGBMRegressor/LGBMClassifier(objective=objective, eval_metric=metric); init_score(y, weight) for "
           "fit(init_score=…)", "layouts.lightgbm_module"),
)}
