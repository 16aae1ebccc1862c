"""The Tobit model (a Gaussian left-censored at c): the derived loss, its gradient and the generated code against
scipy's norm.logcdf/logpdf, an independent maximum-likelihood fit, and XGBoost's own censored-Gaussian objective."""
from __future__ import annotations

import numpy as np
import pytest
from codegen_helpers import module_for
from scipy import optimize, stats

from mlederive.derivation import derive

SIGMA, C = 1.3, 0.0


@pytest.fixture(scope="module")
def tobit():
    return module_for("tobit", "xgboost")


def _data(n=300, seed=0):
    rng = np.random.default_rng(seed)
    X = np.column_stack([np.ones(n), rng.normal(size=(n, 2))])
    latent = X @ np.array([0.3, 1.0, -0.7]) + SIGMA * rng.normal(size=n)
    return X, np.maximum(latent, C)


def test_every_step_verified_and_the_loss_is_named():
    d = derive("tobit")
    assert d.verified and d.loss_name.startswith("Tobit negative log-likelihood")


def test_nll_is_scipys(tobit):
    """The full negative log-likelihood, nothing dropped: −norm.logcdf((c − η)/σ) for a row at c, −norm.logpdf
    otherwise."""
    eta = np.array([-1.0, 0.2, 2.5, -0.3, 40.0])
    y = np.array([0.0, 0.7, 3.1, 0.0, 0.0])
    ref = np.where(y == C, -stats.norm.logcdf((C - eta) / SIGMA), -stats.norm.logpdf(y, eta, SIGMA))
    np.testing.assert_allclose(tobit.nll(eta, y, sigma=SIGMA, c=C), ref, rtol=1e-12)


def test_loss_is_the_nll_without_its_constants(tobit):
    eta = np.linspace(-3, 3, 13)
    for y in (0.0, 1.7):
        gap = tobit.nll(eta, np.full_like(eta, y), sigma=SIGMA, c=C) - tobit.loss(eta, np.full_like(eta, y),
                                                                                sigma=SIGMA, c=C)
        assert np.ptp(gap) < 1e-12  # θ-free: the same at every η


def test_gradient_and_hessian_equal_finite_differences(tobit):
    eta = np.array([-2.0, -0.5, 0.4, 1.9])
    for y in (0.0, 0.8):
        ys = np.full_like(eta, y)
        h = 1e-6
        fd = (tobit.loss(eta + h, ys, sigma=SIGMA, c=C) - tobit.loss(eta - h, ys, sigma=SIGMA, c=C)) / (2 * h)
        np.testing.assert_allclose(tobit.grad(eta, ys, sigma=SIGMA, c=C), fd, rtol=1e-6, atol=1e-8)
        fd2 = (tobit.grad(eta + h, ys, sigma=SIGMA, c=C) - tobit.grad(eta - h, ys, sigma=SIGMA, c=C)) / (2 * h)
        np.testing.assert_allclose(tobit.hess(eta, ys, sigma=SIGMA, c=C), fd2, rtol=1e-5, atol=1e-8)
        assert (tobit.hess(eta, ys, sigma=SIGMA, c=C) > 0).all()


def test_stable_far_in_the_censored_tail(tobit):
    """(c − η)/σ = −40: Φ underflows to 0, its log does not (≈ −804.6); the gradient is the Mills ratio ≈ 40/σ."""
    eta = np.array([40.0 * SIGMA])
    assert tobit.loss(eta, [0.0], sigma=SIGMA, c=C)[0] == pytest.approx(-stats.norm.logcdf(-40.0), rel=1e-12)
    assert tobit.grad(eta, [0.0], sigma=SIGMA, c=C)[0] == pytest.approx(
        np.exp(stats.norm.logpdf(-40.0) - stats.norm.logcdf(-40.0)) / SIGMA, rel=1e-10)


def test_a_label_below_the_censoring_point_is_refused(tobit):
    with pytest.raises(ValueError, match=r"label 1 is -0.5: the tobit family's labels are numbers in \[0.0, ∞\)"):
        tobit.loss([0.1, 0.2], [0.3, -0.5], sigma=SIGMA, c=C)
    # a censoring point of its own: −1 is then a label
    assert np.isfinite(tobit.loss([0.1, 0.2], [0.3, -1.0], sigma=SIGMA, c=-1.0)).all()


def test_fit_equals_an_independent_tobit_mle(tobit):
    """Minimising the generated loss over θ (its gradient chained through X) lands where an MLE written with
    scipy's norm.logcdf/logpdf lands."""
    X, y = _data()

    def ours(theta):
        eta = X @ theta
        return tobit.loss(eta, y, sigma=SIGMA, c=C).mean(), X.T @ tobit.grad(eta, y, sigma=SIGMA, c=C) / len(y)

    def reference(theta):
        eta = X @ theta
        censored = y <= C
        return -(stats.norm.logcdf((C - eta[censored]) / SIGMA).sum()
                 + stats.norm.logpdf(y[~censored], eta[~censored], SIGMA).sum()) / len(y)

    a = optimize.minimize(ours, np.zeros(3), jac=True, method="BFGS", options={"gtol": 1e-10}).x
    b = optimize.minimize(reference, np.zeros(3), method="Nelder-Mead",
                          options={"xatol": 1e-10, "fatol": 1e-14, "maxiter": 20000}).x
    np.testing.assert_allclose(a, b, atol=1e-5)
    assert (y == C).mean() > 0.2  # the data are censored, or the test would prove nothing about log Φ


def test_boosting_equals_xgboosts_censored_gaussian(tobit):
    """XGBoost's survival:aft with a normal error is a Gaussian on log T with interval labels: T = e^y, a censored
    row the interval (0, e^c]. Its gradient and Hessian in the margin are the Tobit's, so 5 rounds from the same
    margins grow the same trees."""
    xgb = pytest.importorskip("xgboost")
    X, y = _data(400, seed=1)
    X = X[:, 1:]
    params = {"max_depth": 3, "eta": 0.3, "nthread": 1, "lambda": 1.0, "min_child_weight": 0.0}
    ours_data = xgb.DMatrix(X, label=y, base_margin=np.zeros(len(y)))
    ours = xgb.train(params, ours_data, 5, obj=lambda pred, d: (tobit.grad(pred, d.get_label(), sigma=SIGMA, c=C),
                                                                 tobit.hess(pred, d.get_label(), sigma=SIGMA, c=C)))
    aft = xgb.DMatrix(X, base_margin=np.zeros(len(y)))
    aft.set_float_info("label_lower_bound", np.where(y == C, 0.0, np.exp(y)))
    aft.set_float_info("label_upper_bound", np.exp(y))
    theirs = xgb.train({**params, "objective": "survival:aft", "aft_loss_distribution": "normal",
                        "aft_loss_distribution_scale": SIGMA}, aft, 5)
    test = xgb.DMatrix(X, base_margin=np.zeros(len(y)))
    np.testing.assert_allclose(ours.predict(test, output_margin=True), theirs.predict(test, output_margin=True),
                               rtol=1e-4, atol=1e-5)


def test_a_users_own_tobit_density_derives_the_same_loss(tmp_path):
    """The recipe language has what the Tobit needs — Φ and an indicator of the outcome, indicator(y, c) — so a user
    can write the censored density by hand: every step verified, and the same per-row loss as the built-in."""
    import sympy as sp

    from mlederive import symbolic as S

    path = tmp_path / "mine.yaml"
    path.write_text(
        "name: mine\ntitle: A Tobit by hand\nlink: identity\nreduction: mean\nfamily:\n  name: censored\n"
        "  title: Censored Gaussian\n  support: real\n  mean_domain: real\n  parameters: {s: known, c: known}\n"
        "  density: \"Phi((c - mu)/s)**indicator(y, c) * (exp(-(y - mu)**2/(2*s**2))/(s*sqrt(2*pi)))"
        "**(1 - indicator(y, c))\"\n")
    mine, builtin = derive(str(path)), derive("tobit")
    assert mine.verified and builtin.verified
    values = {"s": 1.3, "sigma": 1.3, "c": 0.2}

    def at(d, eta, y):
        expr = S.expand_functions(d.loss_summand).xreplace({S.eta[S.i]: eta, S.y[S.i]: y})
        return float(sp.N(expr.subs({s: values[s.name] for s in expr.free_symbols if s.name in values})))

    for eta, y in [(0.5, 0.2), (-1.0, 0.2), (0.3, 1.7), (2.0, 3.1)]:
        y = sp.Float(y)  # y = 0.2 = c: a censored row
        assert at(mine, eta, y) == pytest.approx(at(builtin, eta, y), rel=1e-12)


def test_the_libraries_refuse_a_label_below_c_in_every_calling_form():
    """The fused gradient takes checked labels: the objective checks them against c where c is in scope (it once
    trained on a label of −0.5 through XGBRegressor and lgb.train)."""
    xgb, lgb = pytest.importorskip("xgboost"), pytest.importorskip("lightgbm")
    X, y = _data(60)
    y[7] = -0.5
    objective = module_for("tobit", "xgboost").make_objective(sigma=SIGMA)
    with pytest.raises(ValueError, match="label 7 is -0.5"):
        xgb.XGBRegressor(objective=objective, n_estimators=2).fit(X, y)
    with pytest.raises(ValueError, match="label 7 is -0.5"):
        xgb.train({}, xgb.DMatrix(X, label=y), 2, obj=objective)
    with pytest.raises(ValueError, match="label 7 is -0.5"):
        lgb.train({"objective": module_for("tobit", "lightgbm").make_objective(sigma=SIGMA), "verbose": -1},
                  lgb.Dataset(X, label=y), 2)
