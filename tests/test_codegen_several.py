"""Generated code for several predicted parameters: the numpy module against the derivation and NGBoost, and the
multi-output boosting objectives of XGBoost and LightGBM learning μ and σ from data drawn from the assumption."""
from __future__ import annotations

import numpy as np
import pytest
import sympy as sp
from codegen_helpers import imports_of, module_for
from conftest import DISTRIBUTIONAL
from scipy import stats

from mlederive import symbolic as S
from mlederive.codegen import generate
from mlederive.errors import MlederiveError

WITH_FISHER = [n for n in DISTRIBUTIONAL if n != "negative-binomial-mean-dispersion"]


def _data(name, rng, n=6):
    eta = np.column_stack([rng.uniform(-1, 1, n), rng.uniform(-0.6, 0.6, n)])
    y = {"heteroscedastic-gaussian": rng.normal(size=n), "student-t-location-scale": rng.normal(size=n) * 2,
         "laplace-location-scale": rng.laplace(size=n), "gamma-mean-shape": rng.gamma(2.0, size=n),
         "beta-mean-precision": rng.uniform(0.05, 0.95, n),
         "negative-binomial-mean-dispersion": rng.poisson(2.0, n).astype(float),
         "zero-inflated-poisson": rng.poisson(1.5, n).astype(float) * rng.integers(0, 2, n)}[name]
    return eta, y


@pytest.mark.parametrize("name", DISTRIBUTIONAL)
def test_numpy_module_computes_the_derivation(name):
    """Shapes, the mean loss against the derivation's own loss at 50 digits, the gradient against central
    differences of the module's own loss, the Hessian against differences of its gradient, F symmetric ⪰ 0."""
    m = module_for(name, "numpy")
    assert imports_of(generate(name, "numpy").code) <= {"numpy", "scipy.special"}
    eta, y = _data(name, np.random.default_rng(11))
    n = len(y)
    P = len(m.PARAMETERS)
    assert m.loss(eta, y).shape == (n,) and m.grad(eta, y).shape == (n, P)
    assert m.hess_matrix(eta, y).shape == (n, P, P) and m.hess(eta, y).shape == (n, P)
    h = 1e-6
    for p in range(P):
        step = np.zeros(P)
        step[p] = h
        fd = (m.loss(eta + step, y) - m.loss(eta - step, y)) / (2 * h)
        assert m.grad(eta, y)[:, p] == pytest.approx(fd, rel=1e-5, abs=1e-6)
        if name != "laplace-location-scale":  # 2δ(y − μ)/b: no finite difference sees it
            fd2 = (m.grad(eta + step, y) - m.grad(eta - step, y)) / (2 * h)
            assert m.hess_matrix(eta, y)[:, :, p] == pytest.approx(fd2, rel=1e-5, abs=1e-6)
    if name in WITH_FISHER:
        F = m.fisher(eta)
        assert F.shape == (n, P, P) and np.allclose(F, np.swapaxes(F, 1, 2))
        assert np.linalg.eigvalsh(F).min() > 0
        assert m.natural_gradient(eta, y) == pytest.approx(np.linalg.solve(F, m.grad(eta, y)[..., None])[..., 0])
    else:
        assert not hasattr(m, "fisher")


def test_numpy_module_refuses_eta_of_the_wrong_shape():
    m = module_for("heteroscedastic-gaussian", "numpy")
    with pytest.raises(ValueError, match=r"shape \(n, 2\).*mu, sigma"):
        m.loss(np.zeros(5), np.zeros(5))


@pytest.mark.parametrize("name, distribution", [("heteroscedastic-gaussian", "Normal"),
                                                ("student-t-location-scale", "TFixedDf"),
                                                ("laplace-location-scale", "Laplace")])
def test_natural_gradient_equals_ngboost(name, distribution):
    import ngboost.distns
    from ngboost.manifold import manifold
    from ngboost.scores import LogScore

    m = module_for(name, "numpy")
    rng = np.random.default_rng(4)
    eta = np.column_stack([rng.uniform(-1, 1, 8), rng.uniform(-0.7, 0.7, 8)])
    y = eta[:, 0] + rng.normal(size=8)
    dist = manifold(LogScore, getattr(ngboost.distns, distribution))(eta.T)
    assert m.grad(eta, y) == pytest.approx(dist.d_score(y), rel=1e-10)
    assert m.fisher(eta) == pytest.approx(dist.metric(), rel=1e-10)
    assert m.natural_gradient(eta, y) == pytest.approx(dist.grad(y, natural=True), rel=1e-9)


def _heteroscedastic(seed, n):
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1, 1, (n, 1))
    return x, 1 + 2 * x[:, 0] + np.exp(0.8 * x[:, 0]) * rng.normal(size=n)


def _held_out(margins, y):
    return -stats.norm(margins[:, 0], np.exp(margins[:, 1])).logpdf(y).mean()


def test_xgboost_multi_output_learns_mu_and_sigma():
    """xgb.train with num_target = 2 and the generated objective: the held-out exact NLL (scipy) falls below the
    intercept-only model's, and the learned log σ follows x (σ = e^{0.8x} in the data)."""
    import xgboost as xgb

    m = module_for("heteroscedastic-gaussian", "xgboost")
    X, y = _heteroscedastic(0, 4000)
    start = m.base_margin(y[:3000])
    # the intercept-only fit is the Gaussian MLE: the mean and the (biased) standard deviation
    assert start[0] == pytest.approx([y[:3000].mean(), np.log(y[:3000].std())], rel=1e-8)
    train = xgb.DMatrix(X[:3000], label=y[:3000], base_margin=start)
    booster = xgb.train({"num_target": 2, "tree_method": "hist", "learning_rate": 0.1, "max_depth": 3,
                         "multi_strategy": "one_output_per_tree"}, train, 100, obj=m.objective)
    margins = booster.predict(xgb.DMatrix(X[3000:], base_margin=start[:1000]), output_margin=True)
    assert _held_out(margins, y[3000:]) < _held_out(start[:1000], y[3000:]) - 0.3
    assert np.corrcoef(margins[:, 1], X[3000:, 0])[0, 1] > 0.9


def test_lightgbm_num_class_learns_mu_and_sigma():
    import lightgbm as lgb

    m = module_for("heteroscedastic-gaussian", "lightgbm")
    X, y = _heteroscedastic(1, 4000)
    start = m.init_score(y[:3000])
    data = lgb.Dataset(X[:3000], y[:3000], init_score=start)
    booster = lgb.train({"objective": m.objective, "num_class": 2, "learning_rate": 0.1, "num_leaves": 8,
                         "verbose": -1}, data, 100)
    margins = booster.predict(X[3000:], raw_score=True) + start[:1000]
    assert _held_out(margins, y[3000:]) < _held_out(start[:1000], y[3000:]) - 0.3
    assert np.corrcoef(margins[:, 1], X[3000:, 0])[0, 1] > 0.9


@pytest.mark.parametrize("name", ["gamma-mean-shape", "zero-inflated-poisson"])
def test_the_intercept_is_the_joint_intercept_only_mle(name):
    """At base_margin, the weighted mean gradient vanishes in every parameter."""
    m = module_for(name, "xgboost")
    _, y = _data(name, np.random.default_rng(2), 400)
    w = np.random.default_rng(3).uniform(0.5, 2, y.size)
    margins = m.base_margin(y, w)
    assert np.average(m.grad(margins, y), axis=0, weights=w) == pytest.approx([0, 0], abs=1e-9)


#: margins far out on each link's scale, where a naive formula overflows (e^(e^η) at η_λ = 8, Γ(e^η) at e^η > 171,
#: 1 − σ(η) at η = 35 …), with the data each recipe's y can be
EXTREME = {"identity": (-30.0, 30.0), "log": (-8.0, 8.0), "logit": (-35.0, 35.0)}
SUPPORT = {"heteroscedastic-gaussian": (-2.0, 0.5, 3.0), "student-t-location-scale": (-2.0, 0.5, 3.0),
           "laplace-location-scale": (-2.0, 0.5, 3.0), "gamma-mean-shape": (0.01, 1.0, 30.0),
           "beta-mean-precision": (0.001, 0.5, 0.999), "negative-binomial-mean-dispersion": (0.0, 1.0, 40.0),
           "zero-inflated-poisson": (0.0, 1.0, 40.0)}


@pytest.mark.parametrize("name", DISTRIBUTIONAL)
def test_stable_at_extreme_margins(name):
    """At margins where the naive formulas overflow or cancel, the module's loss, gradient, Hessian and Fisher
    matrix equal the derivation's own forms evaluated at 50 digits (relative 1e-7, absolute 1e-9), and are
    finite."""
    import itertools

    from mlederive.derivation import derive

    d = derive(name, verify_steps=False)
    model = d.model
    m = module_for(name, "numpy")
    grid = [EXTREME.get(p.link.name, (-8.0, 8.0)) + (0.3,) for p in model.predicted]
    values = {model.params[k]: sp.nsimplify(v) for k, v in d.recipe.values.items() if k in model.params}
    for row in itertools.product(*grid):
        for y in SUPPORT[name]:
            eta = np.array([row])
            subs = {p.eta[S.i]: sp.Float(v, 60) for p, v in zip(model.predicted, row)}
            subs.update({S.y[S.i]: sp.nsimplify(y), **values})

            def exact(e):
                return float(sp.re(S.expand_functions(e).xreplace(subs).evalf(50)))

            checks = [(m.loss(eta, [y])[0], d.loss_summand)]
            checks += [(m.grad(eta, [y])[0, p], g) for p, g in enumerate(d.grad_eta_obs)]
            H = m.hess_matrix(eta, [y])[0]
            checks += [(H[r, c], d.curvature_obs[r, c]) for r in range(H.shape[0]) for c in range(H.shape[1])
                       if not d.curvature_obs[r, c].has(sp.DiracDelta)]
            if d.fisher_obs is not None:
                F = m.fisher(eta)[0]
                checks += [(F[r, c], d.fisher_obs[r, c]) for r in range(F.shape[0]) for c in range(F.shape[1])]
            for got, form in checks:
                want = exact(form)
                assert np.isfinite(got), (row, y, form)
                # abs 1e-9: an entry that is itself ~1e-11 (beta's ψ′ terms at σ(η) ≈ 1e-15) is compared to that
                assert got == pytest.approx(want, rel=1e-7, abs=1e-9), (row, y, form)


@pytest.mark.parametrize("name", DISTRIBUTIONAL)
@pytest.mark.parametrize("target", ["jax", "pytorch"])
def test_jax_and_pytorch_modules_equal_the_numpy_one(name, target):
    """The same forms on each library's arrays: equal to the NumPy module's to 1e-12 in float64; PyTorch's loss
    reduces as the built-in losses do, and autograd of it is the module's gradient."""
    reference = module_for(name, "numpy")
    m = module_for(name, target)
    assert imports_of(generate(name, target).code) <= {"numpy", "scipy.special", "math", "torch", "jax",
                                                      "jax.numpy", "jax.scipy.special"}
    eta, y = _data(name, np.random.default_rng(5), 7)
    if target == "jax":
        import jax

        jax.config.update("jax_enable_x64", True)
        convert = np.asarray
        args = (eta, y)
    else:
        import torch

        convert = np.asarray
        args = (torch.tensor(eta, dtype=torch.float64), torch.tensor(y, dtype=torch.float64))
    functions = ["grad", "hess_matrix", "hess"] + (["fisher"] if hasattr(reference, "fisher") else [])
    # torch.polygamma is accurate to about 1e-9 (scipy's to 1e-15): the ψ′ of the gamma, beta and NB Hessians
    rel = 1e-8 if target == "pytorch" and name in ("gamma-mean-shape", "beta-mean-precision",
                                                   "negative-binomial-mean-dispersion") else 1e-12
    for f in functions:
        want = getattr(reference, f)(eta, y) if f != "fisher" else reference.fisher(eta)
        got = getattr(m, f)(*args) if f != "fisher" else m.fisher(args[0])
        assert convert(got) == pytest.approx(want, rel=rel, abs=rel), f
    if target == "pytorch":
        import torch

        per_row = m.loss(*args, reduction="none")
        assert per_row.numpy() == pytest.approx(reference.loss(eta, y), rel=1e-12, abs=1e-12)
        assert float(m.loss(*args)) == pytest.approx(reference.loss(eta, y).mean(), rel=1e-12)
        assert float(m.loss(*args, reduction="sum")) == pytest.approx(reference.loss(eta, y).sum(), rel=1e-12)
        leaf = args[0].clone().requires_grad_(True)
        m.loss(leaf, args[1], reduction="sum").backward()
        assert leaf.grad.numpy() == pytest.approx(reference.grad(eta, y), rel=1e-10, abs=1e-12)
        with pytest.raises(ValueError, match="reduction must be"):
            m.loss(*args, reduction="avg")
    else:
        assert np.asarray(m.loss(*args)) == pytest.approx(reference.loss(eta, y), rel=1e-12, abs=1e-12)


def test_boosting_needs_a_proved_positive_hessian():
    """The negative binomial with α predicted has no Fisher matrix; its curvature in α is not positive everywhere,
    so no boosting objective is written — numpy still is."""
    with pytest.raises(MlederiveError, match="not proved positive"):
        generate("negative-binomial-mean-dispersion", "xgboost")
    assert generate("negative-binomial-mean-dispersion", "numpy").verified


def test_the_code_steps_are_proved_and_a_wrong_one_is_rejected():
    """The stable loss, each gradient, the Hessian matrix and the Fisher matrix as computed are steps the verifier
    proves; a wrong entry in any of them (a sign, a dropped factor of the ZIP's logaddexp form) is rejected."""
    from dataclasses import replace

    from mlederive.derivation.implementation import several_forms
    from mlederive.recipe import load_recipe
    from mlederive.verification import check_step

    doc = several_forms(load_recipe("zero-inflated-poisson")).document
    steps = {s.id: s for s in doc.steps}
    assert {"stable-loss", "code-grad-lambda", "code-grad-pi", "code-hessian", "code-fisher"} <= set(steps)
    for step in (steps[k] for k in ("stable-loss", "code-grad-lambda", "code-grad-pi", "code-hessian",
                                    "code-fisher")):
        assert check_step(doc, step).verified, step.id
        if isinstance(step.expr, sp.MatrixBase):
            wrong = step.expr.as_mutable()
            wrong[0, 1] = -wrong[0, 1]
            assert not check_step(doc, replace(step, expr=sp.ImmutableMatrix(wrong))).verified, step.id
            other_shape = check_step(doc, replace(step, expr=step.expr[:, :1]))
            assert not other_shape.verified and "malformed" in other_shape.detail, step.id
        else:
            assert not check_step(doc, replace(step, expr=-step.expr)).verified, step.id
            assert not check_step(doc, replace(step, expr=step.expr / 2)).verified, step.id


def test_the_multi_output_metric_is_the_full_nll_and_bad_labels_are_refused():
    """custom_metric= of xgb.train reports scipy's full Gaussian NLL of the margins (σ = e^(η_σ)), weighted; a
    zero-inflated Poisson label of −1 and a beta label of 1 are refused by name, in the objective too."""
    import xgboost as xgb

    m = module_for("heteroscedastic-gaussian", "xgboost")
    X, y = _heteroscedastic(3, 600)
    w = np.random.default_rng(3).uniform(0.5, 2.0, y.size)
    start = m.base_margin(y, w)
    dtrain = xgb.DMatrix(X, label=y, weight=w, base_margin=start)
    record: dict = {}
    booster = xgb.train({"num_target": 2, "tree_method": "hist", "learning_rate": 0.1, "max_depth": 3, "nthread": 1,
                         "multi_strategy": "one_output_per_tree", "disable_default_eval_metric": 1}, dtrain, 5,
                        obj=m.objective, custom_metric=m.metric, evals=[(dtrain, "train")], evals_result=record)
    eta = booster.predict(dtrain, output_margin=True).astype(float)
    exact = -np.average(stats.norm(eta[:, 0], np.exp(eta[:, 1])).logpdf(y), weights=w)
    assert record["train"]["nll"][-1] == pytest.approx(exact, rel=1e-6)
    for name, labels, first in (("zero-inflated-poisson", [0.0, 2.0, -1.0], 2), ("beta-mean-precision", [0.5, 1.0], 1)):
        module = module_for(name, "lightgbm")
        eta = np.zeros((len(labels), 2))
        for call in (lambda: module.objective(np.array(labels), eta), lambda: module.grad(eta, labels),
                     lambda: module.metric(np.array(labels), eta), lambda: module.init_score(labels)):
            with pytest.raises(ValueError, match="label %d is" % first):
                call()


@pytest.mark.parametrize("target", ["numpy", "pytorch"])
def test_labels_of_another_shape_are_refused(target):
    """y must have one label per row of eta: (n, 1) or a shorter y is refused by name, not broadcast."""
    m = module_for("heteroscedastic-gaussian", target)
    eta, y = np.zeros((5, 2)), np.zeros(5)
    if target == "pytorch":
        import torch

        eta, y = torch.zeros(5, 2), torch.zeros(5)
    for wrong in (y[:3], y[:, None]):
        with pytest.raises(ValueError, match="one label per row"):
            m.loss(eta, wrong)
        with pytest.raises(ValueError, match="one label per row"):
            m.grad(eta, wrong)
