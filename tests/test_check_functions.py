"""The check function ρ_τ of quantile regression (mlederive.check_functions): what its docstring says it is, its
derivative, and the quantile-regression recipe's loss against scikit-learn's mean_pinball_loss."""
from __future__ import annotations

import random

import numpy as np
import pytest
import sympy as sp

from mlederive import symbolic as S
from mlederive.check_functions import pinball
from mlederive.derivation import derive
from mlederive.recipe import load_recipe

TAU, U = sp.Symbol("tau", positive=True), sp.Symbol("u", real=True)


def test_the_three_forms_its_docstring_gives_are_one_function():
    """½(|u| + (2τ − 1)u) = max(τu, (τ − 1)u) = u(τ − 1[u < 0]), at points on both sides of the kink."""
    f = sp.lambdify((TAU, U), pinball(TAU, U).elementary())
    rng = random.Random(0)
    for _ in range(200):
        tau, u = rng.uniform(0.01, 0.99), rng.uniform(-5, 5)
        assert f(tau, u) == pytest.approx(max(tau * u, (tau - 1) * u), abs=1e-12)
        assert f(tau, u) == pytest.approx(u * (tau - (u < 0)), abs=1e-12)


def test_its_derivatives_are_finite_differences_away_from_the_kink():
    rng = random.Random(1)
    value = sp.lambdify((TAU, U), pinball(TAU, U).elementary())
    du, dtau = (sp.lambdify((TAU, U), sp.diff(pinball(TAU, U), v)) for v in (U, TAU))
    for _ in range(50):
        tau, u, h = rng.uniform(0.05, 0.95), rng.choice([-1, 1]) * rng.uniform(0.1, 4), 1e-6
        assert du(tau, u) == pytest.approx((value(tau, u + h) - value(tau, u - h)) / (2 * h), abs=1e-6)
        assert dtau(tau, u) == pytest.approx((value(tau + h, u) - value(tau - h, u)) / (2 * h), abs=1e-6)


def test_the_quantile_recipe_arrives_at_the_pinball_loss_of_scikit_learn():
    from sklearn.metrics import mean_pinball_loss

    d = derive(load_recipe("quantile-regression"))
    assert d.verified and d.loss_name.startswith("pinball (quantile) loss")
    tau = d.model.params["tau"]
    loss = sp.lambdify((S.y[S.i], S.eta[S.i]), S.expand_functions(d.loss_summand * S.n).subs(S.n, 1)
                       .xreplace({tau: sp.Float(0.9)}))
    rng = np.random.default_rng(2)
    y, eta = rng.normal(size=500), rng.normal(size=500)
    assert np.mean(loss(y, eta)) == pytest.approx(mean_pinball_loss(y, eta, alpha=0.9), rel=1e-12)


def test_the_quantile_recipe_fits_the_quantile():
    """The derivation's gradient, summed, changes sign at the sample's 0.9-quantile: the intercept-only fit."""
    d = derive(load_recipe("quantile-regression"), verify_steps=False)
    grad = sp.lambdify((S.y[S.i], S.eta[S.i]), S.expand_functions(d.grad_eta_obs * S.n).subs(S.n, 1)
                       .xreplace({d.model.params["tau"]: sp.Float(0.9)}))
    y = np.random.default_rng(3).exponential(size=2001)
    q = np.quantile(y, 0.9)
    assert np.sum(grad(y, q - 1e-6)) < 0 < np.sum(grad(y, q + 1e-6))
