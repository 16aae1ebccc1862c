"""The README's rows for the library losses that the loss verdict answers: each loss, read from its example recipe in
docs/verdicts/, is the library's — values against PyTorch and scikit-learn, and a booster trained on the loss's
derived gradient and Hessian grows the same trees as the library's built-in objective."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import sympy as sp

from mlederive import symbolic as S
from mlederive.arguments.verdict import eta
from mlederive.derivation import derive
from mlederive.recipe import load_recipe

VERDICTS = Path(__file__).resolve().parent.parent / "docs" / "verdicts"


def loss_of(name):
    """The recipe's loss ℓ(y, η), its ∂ℓ/∂η and ∂²ℓ/∂η², as numpy functions."""
    doc = derive(load_recipe(str(VERDICTS / ("%s.yaml" % name))))
    assert doc.verified
    loss = S.expand_functions(doc.steps[0].expr)
    y = next(s for s in loss.free_symbols if s.name == "y")
    # the kink's δ term of ∂²|r| is zero away from r = 0, where the samples lie
    curvature = sp.diff(loss, eta, 2).replace(sp.DiracDelta, lambda *a: sp.S.Zero)
    return [sp.lambdify((y, eta), f, "numpy") for f in (loss, sp.diff(loss, eta), curvature)]


def test_soft_margin_is_pytorchs():
    torch = pytest.importorskip("torch")
    f, _, _ = loss_of("soft-margin")
    x = torch.tensor([-2.0, -0.1, 0.4, 3.0], dtype=torch.float64)
    y = np.array([1, 0, 0, 1])
    ref = torch.nn.SoftMarginLoss(reduction="none")(x, torch.tensor(2.0 * y - 1, dtype=torch.float64))
    np.testing.assert_allclose(f(y, x.numpy()), ref.numpy(), rtol=1e-12)


def test_soft_label_cross_entropy_is_pytorchs_on_soft_targets():
    torch = pytest.importorskip("torch")
    f, _, _ = loss_of("soft-label-cross-entropy")
    x = torch.tensor([-2.0, -0.1, 0.4, 3.0], dtype=torch.float64)
    y = np.array([0.1, 0.5, 0.73, 0.99])
    ref = torch.nn.functional.binary_cross_entropy_with_logits(x, torch.tensor(y), reduction="none")
    np.testing.assert_allclose(f(y, x.numpy()), ref.numpy(), rtol=1e-12)


def test_hinge_is_scikit_learns():
    from sklearn.metrics import hinge_loss

    f, _, _ = loss_of("hinge")
    y, x = np.array([1, 0, 0, 1, 1]), np.array([-2.0, -0.1, 0.4, 3.0, 0.7])
    assert f(y, x).mean() == pytest.approx(hinge_loss(2 * y - 1, x), rel=1e-12)


def test_mape_is_scikit_learns():
    from sklearn.metrics import mean_absolute_percentage_error

    f, _, _ = loss_of("mape")
    y, x = np.array([0.5, 2.0, 7.0, 1.2]), np.array([-0.2, 1.0, 2.1, 0.0])
    assert f(y, x).mean() == pytest.approx(mean_absolute_percentage_error(y, np.exp(x)), rel=1e-12)


def _data(n=400, seed=0, soft=False):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 3))
    if soft:
        return X, 1 / (1 + np.exp(-(X[:, 0] - 0.5 * X[:, 1] + 0.3 * rng.normal(size=n))))
    return X, X[:, 0] - 0.5 * X[:, 1] + rng.standard_t(3, size=n)


def test_pseudo_huber_trains_as_xgboosts():
    xgb = pytest.importorskip("xgboost")
    _, grad, hess = loss_of("pseudo-huber")
    X, y = _data()
    params = {"max_depth": 3, "eta": 0.3, "base_score": 0.0, "nthread": 1, "huber_slope": 1.0}

    def objective(pred, dtrain):
        return grad(dtrain.get_label(), pred), hess(dtrain.get_label(), pred)

    ours = xgb.train(params, xgb.DMatrix(X, label=y), 5, obj=objective)
    theirs = xgb.train({**params, "objective": "reg:pseudohubererror"}, xgb.DMatrix(X, label=y), 5)
    np.testing.assert_allclose(ours.predict(xgb.DMatrix(X), output_margin=True),
                               theirs.predict(xgb.DMatrix(X), output_margin=True), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name, objective, soft", [("fair", "fair", False),
                                                   ("soft-label-cross-entropy", "cross_entropy", True)])
def test_trains_as_lightgbms(name, objective, soft):
    lgb = pytest.importorskip("lightgbm")
    _, grad, hess = loss_of(name)
    X, y = _data(soft=soft)
    params = {"num_leaves": 7, "learning_rate": 0.3, "boost_from_average": False, "verbose": -1,
              "num_threads": 1, "min_data_in_leaf": 5, "fair_c": 1.0}

    def custom(pred, data):
        return grad(data.get_label(), pred), hess(data.get_label(), pred)

    ours = lgb.train({**params, "objective": custom}, lgb.Dataset(X, label=y), 5)
    theirs = lgb.train({**params, "objective": objective}, lgb.Dataset(X, label=y), 5)
    np.testing.assert_allclose(ours.predict(X, raw_score=True), theirs.predict(X, raw_score=True),
                               rtol=1e-5, atol=1e-6)


def test_smooth_l1_is_huber_over_beta_and_nll_on_log_softmax_is_cross_entropy():
    """The README's rows: SmoothL1Loss(beta=β) = HuberLoss(delta=β)/β = ρ_β(x − t)/β (our check function), and NLLLoss
    on log_softmax is CrossEntropyLoss."""
    torch = pytest.importorskip("torch")
    from mlederive.check_functions import huber

    x = torch.tensor([-3.0, -0.4, 0.1, 0.9, 2.5], dtype=torch.float64)
    t = torch.tensor([0.2, 0.0, 1.5, 0.8, -1.0], dtype=torch.float64)
    beta = 1.3
    smooth = torch.nn.SmoothL1Loss(beta=beta, reduction="none")(x, t)
    np.testing.assert_allclose(smooth.numpy(), torch.nn.HuberLoss(delta=beta, reduction="none")(x, t).numpy() / beta,
                               rtol=1e-12)
    ours = [huber._imp_(beta, float(a - b)) / beta for a, b in zip(x, t)]
    np.testing.assert_allclose(smooth.numpy(), ours, rtol=1e-12)
    logits = torch.randn(4, 5, dtype=torch.float64)
    labels = torch.tensor([0, 3, 1, 4])
    nll = torch.nn.NLLLoss()(torch.log_softmax(logits, dim=1), labels)
    assert nll.item() == pytest.approx(torch.nn.CrossEntropyLoss()(logits, labels).item(), rel=1e-12)
