"""The README's table, for the library losses whose built-in does something a custom objective cannot (a leaf
refit, a Hessian of its own) or that are a known loss under another name: each row is what it says, against the real
library.

- XGBoost `reg:absoluteerror` and `reg:quantileerror`, LightGBM `regression_l1`: the gradient is the derived one (the
  first tree's splits are the same with a Hessian of 1), and XGBoost then refits the leaf values to the leaf's median
  or τ-quantile of the residuals — the Laplace and asymmetric-Laplace MLE of a location.
- LightGBM `huber`: the derived gradient with a Hessian of 1, the same trees.
- XGBoost `binary:logitraw`, `multi:softmax`, `reg:logistic` (soft labels); LightGBM `multiclassova` (the Bernoulli
  loss on a one-hot target), `cross_entropy_lambda`: the same trees as the derived objective.
- XGBoost `binary:hinge`: the hinge's derived gradient with XGBoost's Hessian (1 where the hinge is active).
- PyTorch `BCELoss` on σ(η), `KLDivLoss` on log-softmax, and `MultiMarginLoss`/`MultiLabelMarginLoss`, which at two
  classes are the hinge of x₁ − x₀ halved (so no likelihood: the hinge's verdict is a no).
"""
from __future__ import annotations

import numpy as np
import pytest
from codegen_helpers import module_for
from test_verdict_libraries import loss_of

xgb = pytest.importorskip("xgboost")
lgb = pytest.importorskip("lightgbm")


def _regression(n=400, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 3))
    return X, X[:, 0] - 0.5 * X[:, 1] + rng.standard_t(3, size=n)


def _xgb(params, X, y, rounds, obj=None, margin=0.0):
    data = xgb.DMatrix(X, label=y, base_margin=np.full(len(y), margin))
    booster = xgb.train({"max_depth": 3, "eta": 0.3, "nthread": 1, "tree_method": "exact", **params}, data, rounds,
                        obj=obj)
    return booster, booster.predict(data, output_margin=True)


def _xgb_splits(booster):
    df = booster.trees_to_dataframe()
    return df[df.Feature != "Leaf"][["Tree", "Node", "Feature", "Split"]].values.tolist()


LGB = {"num_leaves": 7, "learning_rate": 0.3, "boost_from_average": False, "verbose": -1, "num_threads": 1,
       "min_data_in_leaf": 5}


def _lgb(objective, X, y, rounds, **params):
    booster = lgb.train({**LGB, "objective": objective, **params}, lgb.Dataset(X, label=y), rounds)
    return booster, booster.predict(X, raw_score=True)


def _lgb_splits(booster):
    df = booster.trees_to_dataframe()
    return df[df.split_feature.notna()][["tree_index", "split_feature", "threshold"]].values.tolist()


def _unit_hessian(grad):
    return lambda pred, data: (grad(pred, data.get_label()), np.ones_like(pred))


def _squared(pred, data):
    return pred - data.get_label(), np.ones_like(pred)


@pytest.mark.parametrize("builtin, recipe, params, level", [
    ("reg:absoluteerror", "laplace-identity", {"b": 1.0}, 0.5),
    ("reg:quantileerror", "quantile-regression", {"tau": 0.9, "sigma": 1.0}, 0.9),
])
def test_xgboost_l1_and_quantile_take_the_derived_gradient_and_refit_leaves_to_the_leafs_quantile(
        builtin, recipe, params, level):
    """The first tree's splits are those of the derived gradient with a Hessian of 1 (and not those of the squared
    error's gradient: the comparison can fail); each leaf is then eta times the `level`-quantile of its rows'
    labels (the margin starts at 0; XGBoost interpolates at Weibull's plotting position k/(n + 1)): the location's
    MLE under the Laplace (the median, which minimises the derived loss over the leaf); under the asymmetric Laplace
    the MLE is a τ-quantile too, up to where between two order statistics XGBoost interpolates."""
    m = module_for(recipe, "xgboost")
    X, y = _regression()
    hist = {"tree_method": "hist"}  # hist refits the leaves; with "exact" they stayed Newton steps −G/(H + λ)
    extra = {"quantile_alpha": level} if builtin == "reg:quantileerror" else {}
    theirs, _ = _xgb({"objective": builtin, **extra, **hist}, X, y, 1)
    ours, _ = _xgb(hist, X, y, 1, obj=_unit_hessian(lambda p, t: m.grad(p, t, **params)))
    squared, _ = _xgb(hist, X, y, 1, obj=_squared)
    assert _xgb_splits(theirs) == _xgb_splits(ours) != _xgb_splits(squared)
    leaves = theirs.predict(xgb.DMatrix(X, base_margin=np.zeros(len(y))), pred_leaf=True).ravel()
    values = theirs.predict(xgb.DMatrix(X, base_margin=np.zeros(len(y))), output_margin=True)
    for leaf in np.unique(leaves):
        rows = y[leaves == leaf]
        value = values[leaves == leaf][0] / 0.3
        assert value == pytest.approx(np.quantile(rows, level, method="weibull"), rel=1e-5)
        total = [m.loss(np.full(rows.size, value + d), rows, **params).sum() for d in (-1e-2, 0.0, 1e-2)]
        assert level != 0.5 or total[1] <= min(total[0], total[2]) + 1e-6  # the median minimises the L1 loss


def test_lightgbm_regression_l1_takes_the_laplace_gradient():
    m = module_for("laplace-identity", "lightgbm")
    X, y = _regression()
    theirs, _ = _lgb("regression_l1", X, y, 1)
    ours, _ = _lgb(_unit_hessian(lambda p, t: m.grad(p, t, b=1.0)), X, y, 1)
    squared, _ = _lgb(_squared, X, y, 1)
    assert _lgb_splits(theirs) == _lgb_splits(ours) != _lgb_splits(squared)


def test_lightgbm_huber_is_the_derived_gradient_with_a_unit_hessian():
    m = module_for("huber-regression", "lightgbm")
    X, y = _regression()
    _, theirs = _lgb("huber", X, y, 5, alpha=1.3)
    _, ours = _lgb(_unit_hessian(lambda p, t: m.grad(p, t, delta=1.3)), X, y, 5)
    _, other = _lgb(_unit_hessian(lambda p, t: m.grad(p, t, delta=0.5)), X, y, 5)
    np.testing.assert_allclose(ours, theirs, rtol=1e-6, atol=1e-9)
    assert np.abs(other - theirs).max() > 1e-3


def _binary(n=600, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 3))
    return X, (X[:, 0] - 0.5 * X[:, 1] + rng.normal(size=n) > 0).astype(float)


def _soft(n=600, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 3))
    return X, 1 / (1 + np.exp(-(X[:, 0] + 0.3 * rng.normal(size=n))))


def _classes(n=600, k=3, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 3))
    return X, np.argmax(X @ rng.normal(size=(3, k)) + rng.gumbel(size=(n, k)), axis=1)


def test_xgboost_logitraw_is_the_bce_and_multi_softmax_grows_softprobs_trees():
    m = module_for("bernoulli-logit", "xgboost")
    X, y = _binary()
    _, theirs = _xgb({"objective": "binary:logitraw"}, X, y, 5)
    _, ours = _xgb({}, X, y, 5, obj=m.objective)
    np.testing.assert_allclose(ours, theirs, atol=1e-6)
    X, k = _classes()
    params = {"num_class": 3, "max_depth": 3, "eta": 0.3, "nthread": 1}
    predict = [xgb.train({**params, "objective": o}, xgb.DMatrix(X, label=k), 5).predict(
        xgb.DMatrix(X), output_margin=True) for o in ("multi:softmax", "multi:softprob")]
    np.testing.assert_array_equal(predict[0], predict[1])


def _derived(name):
    _, grad, hess = loss_of(name)
    return lambda pred, data: (grad(data.get_label(), pred), hess(data.get_label(), pred))


def test_xgboost_reg_logistic_and_lightgbm_cross_entropy_lambda_are_the_soft_label_cross_entropy():
    """Both take labels in [0, 1]: the cross-entropy whose verdict is a no for a label in (0, 1). LightGBM's λ
    parametrisation, p = 1 − exp(−log(1 + e^s)), is σ(s): unweighted, the same trees."""
    X, y = _soft()
    objective = _derived("soft-label-cross-entropy")
    _, theirs = _xgb({"objective": "reg:logistic"}, X, y, 5)
    _, ours = _xgb({}, X, y, 5, obj=objective)
    np.testing.assert_allclose(ours, theirs, atol=1e-6)
    _, theirs = _lgb("cross_entropy_lambda", X, y, 5)
    _, ours = _lgb(objective, X, y, 5)
    np.testing.assert_allclose(ours, theirs, atol=1e-6)


def test_lightgbm_multiclassova_is_the_bernoulli_loss_on_a_one_hot_target():
    """One-vs-all: K independent Bernoulli labels, the multilabel likelihood on a one-hot y — the generated Bernoulli
    objective elementwise on the (n, K) one-hot matrix grows LightGBM's trees."""
    m = module_for("bernoulli-logit", "lightgbm")
    X, k = _classes()

    def ova(pred, data):
        return m._grad_hess(pred, np.eye(3)[data.get_label().astype(int)])

    _, theirs = _lgb("multiclassova", X, k, 5, num_class=3)
    _, ours = _lgb(ova, X, k, 5, num_class=3)
    assert theirs.shape == (len(k), 3)
    np.testing.assert_allclose(ours, theirs, atol=1e-6)


def test_xgboost_binary_hinge_is_the_hinges_gradient_with_its_own_hessian():
    """binary:hinge minimises the hinge (no likelihood): the derived ∂ℓ/∂η, with XGBoost's Hessian — 1 where the
    hinge is active (y′η < 1), the smallest float elsewhere, since the hinge's curvature is 0."""
    X, y = _binary()
    _, grad, _ = loss_of("hinge")

    def hinge(pred, data):
        active = (2 * data.get_label() - 1) * pred < 1
        return grad(data.get_label(), pred), np.where(active, 1.0, np.finfo(np.float32).tiny)

    _, theirs = _xgb({"objective": "binary:hinge"}, X, y, 5)
    _, ours = _xgb({}, X, y, 5, obj=hinge)
    np.testing.assert_allclose(ours, theirs, atol=1e-6)


torch = pytest.importorskip("torch")


def test_pytorch_bce_loss_on_probabilities_and_kl_div_on_log_softmax():
    """BCELoss(σ(η), y) is the derived BCE; KLDivLoss(log_softmax(η), q) is the cross-entropy against q minus q's
    entropy (θ-free), so on a one-hot q it is the cross-entropy itself."""
    bce = module_for("bernoulli-logit", "pytorch")
    ce = module_for("categorical-softmax", "pytorch")
    eta = torch.tensor([-3.0, -0.2, 0.5, 2.0], dtype=torch.float64)
    y = torch.tensor([0.0, 1.0, 0.0, 1.0], dtype=torch.float64)
    torch.testing.assert_close(torch.nn.BCELoss(reduction="sum")(torch.sigmoid(eta), y),
                               bce.loss(eta, y, reduction="sum"), rtol=1e-12, atol=0)
    logits = torch.randn(5, 4, dtype=torch.float64, generator=torch.Generator().manual_seed(0))
    labels = torch.tensor([0, 3, 1, 2, 3])
    kl = torch.nn.KLDivLoss(reduction="batchmean")
    torch.testing.assert_close(kl(torch.log_softmax(logits, 1), torch.eye(4, dtype=torch.float64)[labels]),
                               ce.loss(logits, labels), rtol=1e-12, atol=0)
    q = torch.softmax(torch.randn(5, 4, dtype=torch.float64, generator=torch.Generator().manual_seed(1)), 1)
    cross = -(q * torch.log_softmax(logits, 1)).sum(1).mean()
    entropy = -(q * torch.log(q)).sum(1).mean()
    torch.testing.assert_close(kl(torch.log_softmax(logits, 1), q), cross - entropy, rtol=1e-12, atol=0)


def test_pytorchs_multi_margin_losses_at_two_classes_are_the_hinge_halved():
    """At two classes MultiMarginLoss(x, y) and MultiLabelMarginLoss with one positive label are
    max(0, 1 − y′(x₁ − x₀))/2, the hinge of η = x₁ − x₀: a loss whose K-class form were a likelihood would be one at
    K = 2, and the hinge's verdict is a no."""
    hinge, _, _ = loss_of("hinge")
    x = torch.tensor([[0.3, -1.0], [2.0, 1.5], [-0.4, 0.4], [1.0, -2.0]], dtype=torch.float64)
    y = torch.tensor([1, 0, 1, 0])
    eta = (x[:, 1] - x[:, 0]).numpy()
    expected = hinge(y.numpy(), eta) / 2
    multi = torch.nn.MultiMarginLoss(reduction="none")(x, y)
    targets = torch.stack([y, torch.full_like(y, -1)], 1)
    label = torch.nn.MultiLabelMarginLoss(reduction="none")(x, targets)
    np.testing.assert_allclose(multi.numpy(), expected, rtol=1e-12)
    np.testing.assert_allclose(label.numpy(), expected, rtol=1e-12)


def test_xgboost_squared_log_error_is_the_log_normal_of_one_plus_y():
    """reg:squaredlogerror's margin is ŷ itself: with η = log(1 + ŷ) and the outcome 1 + y, the log-normal's derived
    gradient and curvature in η, chained to ŷ (dη/dŷ = 1/(1 + ŷ), d²η/dŷ² = −1/(1 + ŷ)²), grow XGBoost's trees — its
    Hessian floored at 10⁻⁶ as XGBoost floors it — and the derived loss is the square of its metric `rmsle`."""
    from pathlib import Path

    from codegen_helpers import load

    from mlederive.codegen import generate

    recipe = Path(__file__).resolve().parent.parent / "docs" / "recipes" / "squared-log-error.yaml"
    m = load(generate(str(recipe), "xgboost").code, "squared_log_error")
    rng = np.random.default_rng(0)
    X = rng.normal(size=(500, 3))
    y = np.expm1(0.5 * X[:, 0] + 1 + 0.3 * rng.normal(size=500))

    def chained(pred, data):
        eta, outcome = np.log1p(pred), 1 + data.get_label()
        first, second = 1 / (1 + pred), -1 / (1 + pred) ** 2
        g = m.grad(eta, outcome, sigma=1.0)
        return g * first, np.maximum(m.hess(eta, outcome, sigma=1.0) * first ** 2 + g * second, 1e-6)

    start = float(np.mean(y))
    theirs, a = _xgb({"objective": "reg:squaredlogerror", "eval_metric": "rmsle"}, X, y, 5, margin=start)
    ours, b = _xgb({}, X, y, 5, obj=chained, margin=start)
    np.testing.assert_allclose(b, a, rtol=1e-5, atol=1e-5)
    data = xgb.DMatrix(X, label=y, base_margin=np.full(len(y), start))
    rmsle = float(theirs.eval(data).split(":")[1])
    assert np.mean(m.loss(np.log1p(a), 1 + y, sigma=1.0)) * 2 == pytest.approx(rmsle ** 2, rel=1e-5)


def test_lightgbm_mape_takes_the_derived_gradient_and_its_metric_is_the_loss():
    """LightGBM's `mape` divides by max(1, |y|) and predicts ŷ itself: the derived gradient with a Hessian of 1 grows
    its first splits (it then refits the leaves), and its `mape` metric is the derived loss's mean."""
    X, y = _regression()
    y = np.abs(y) + 0.1
    loss, grad, _ = loss_of("lightgbm-mape")
    train, record = lgb.Dataset(X, label=y), {}
    theirs = lgb.train({**LGB, "objective": "mape", "metric": "mape"}, train, 3, valid_sets=[train],
                       valid_names=["train"], callbacks=[lgb.record_evaluation(record)])
    ours, _ = _lgb(lambda p, d: (grad(d.get_label(), p), np.ones_like(p)), X, y, 1)
    squared, _ = _lgb(_squared, X, y, 1)
    first = [s for s in _lgb_splits(theirs) if s[0] == 0]
    assert first == _lgb_splits(ours) != _lgb_splits(squared)
    predictions = theirs.predict(X, raw_score=True)
    assert np.mean(loss(y, predictions)) == pytest.approx(record["train"]["mape"][-1], rel=1e-6)
