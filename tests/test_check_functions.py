"""The check function ρ_τ of quantile regression (mlederive.check_functions): what its docstring says it is, its
derivative, and the quantile-regression recipe's loss against scikit-learn's mean_pinball_loss."""
from __future__ import annotations

import random

import numpy as np
import pytest
import sympy as sp

from mlederive import symbolic as S
from mlederive.check_functions import huber, huber_inside, huber_psi, pinball
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


DELTA = sp.Symbol("delta", positive=True)


def test_hubers_function_is_the_two_pieces_its_docstring_gives_and_its_derivatives_are_finite_differences():
    rho = sp.lambdify((DELTA, U), huber(DELTA, U).elementary())
    psi = sp.lambdify((DELTA, U), sp.diff(huber(DELTA, U), U).doit().replace(
        lambda e: isinstance(e, huber_psi), lambda e: e.elementary()))
    inside = sp.lambdify((DELTA, U), sp.diff(huber_psi(DELTA, U), U).replace(
        lambda e: isinstance(e, huber_inside), lambda e: e.elementary()))
    rng = random.Random(4)
    for _ in range(200):
        d, u, h = rng.uniform(0.2, 3), rng.uniform(-6, 6), 1e-6
        if abs(abs(u) - d) < 1e-3:
            continue
        assert rho(d, u) == pytest.approx(u * u / 2 if abs(u) <= d else d * (abs(u) - d / 2), abs=1e-12)
        assert psi(d, u) == pytest.approx((rho(d, u + h) - rho(d, u - h)) / (2 * h), abs=1e-6)
        assert inside(d, u) == (1 if abs(u) < d else 0)


def test_the_huber_recipe_is_pytorchs_huber_loss_in_float32():
    torch = pytest.importorskip("torch")
    from codegen_helpers import module_for

    m = module_for("huber-regression", "pytorch")
    g = torch.Generator().manual_seed(0)
    for delta in (0.5, 1.0, 2.5):
        eta = (3 * torch.randn(2000, generator=g)).requires_grad_()
        y = 3 * torch.randn(2000, generator=g)
        ours = m.loss(eta, y, delta=delta)
        theirs = torch.nn.HuberLoss(delta=delta)(eta, y)
        assert torch.allclose(ours, theirs, rtol=1e-6)
        (a,) = torch.autograd.grad(ours, eta)
        (b,) = torch.autograd.grad(theirs, eta)
        assert torch.allclose(a, b, rtol=1e-6, atol=1e-9)
