"""The generated boosting modules in every form XGBoost and LightGBM call them: the objective against the built-in
objective after 20 weighted rounds, the metric against scipy's full log-likelihood, the labels and base margins
the built-ins refuse, the parameters a recipe leaves open, and ruff's default rules on every module."""
from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from codegen_helpers import generated, module_for
from scipy import stats as st

from mlederive.codegen import generate

ROUNDS = 20


def _data(spec, n=400, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 3))
    eta = 0.8 * X[:, 0] - 0.5 * X[:, 1] + 0.3
    if spec == "poisson-log":
        y = rng.poisson(np.exp(eta)).astype(float)
    else:
        y = rng.binomial(1, 1 / (1 + np.exp(-eta))).astype(float)
    return X, y, rng.uniform(0.5, 2.0, n)


def _exact_nll(spec, eta, y, w):
    """The weighted mean negative log-likelihood, everything kept (scipy.stats): what the metric must report."""
    logp = st.poisson(np.exp(eta)).logpmf(y) if spec == "poisson-log" else \
        st.bernoulli(1 / (1 + np.exp(-eta))).logpmf(y)
    return -np.average(logp, weights=w)


XGB = {"poisson-log": "count:poisson", "bernoulli-logit": "binary:logistic"}
XGB_PARAMS = {"max_depth": 3, "learning_rate": 0.3, "reg_lambda": 1.0, "max_delta_step": 0, "tree_method": "exact",
              "n_jobs": 1, "random_state": 0}


@pytest.mark.parametrize("spec", list(XGB))
def test_xgboost_train_and_the_sklearn_api_equal_the_builtin(spec):
    """xgb.train(obj=objective) — (predt, dtrain) — and XGBRegressor(objective=objective).fit(sample_weight=w) —
    (y_true, y_pred, sample_weight=w) — give the built-in objective's model, weighted, after 20 rounds."""
    import xgboost as xgb

    m = module_for(spec, "xgboost")
    X, y, w = _data(spec)
    margin = np.full(y.size, m.base_margin(y, w))
    train_params = {k.replace("learning_rate", "eta").replace("reg_lambda", "lambda").replace("n_jobs", "nthread")
                    .replace("random_state", "seed"): v for k, v in XGB_PARAMS.items()}

    def trained(**extra):
        dtrain = xgb.DMatrix(X, label=y, weight=w, base_margin=margin)
        booster = xgb.train({**train_params, **extra.pop("params", {})}, dtrain, num_boost_round=ROUNDS, **extra)
        return booster.predict(dtrain, output_margin=True)

    def estimator(objective):
        model = xgb.XGBRegressor(objective=objective, n_estimators=ROUNDS, **XGB_PARAMS)
        model.fit(X, y, sample_weight=w, base_margin=margin)
        return model.predict(X, base_margin=margin, output_margin=True)

    theirs = trained(params={"objective": XGB[spec]})
    np.testing.assert_allclose(trained(obj=m.objective, params={"disable_default_eval_metric": 1}), theirs,
                               rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(estimator(m.objective), estimator(XGB[spec]), rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(estimator(m.objective), theirs, rtol=1e-5, atol=1e-5)
    assert np.std(theirs) > 0.05


LGB = {"poisson-log": "poisson", "bernoulli-logit": "binary"}
LGB_PARAMS = dict(learning_rate=0.3, num_leaves=8, min_child_samples=5, reg_lambda=1.0, deterministic=True,
                  force_row_wise=True, n_jobs=1, verbose=-1, boost_from_average=False, poisson_max_delta_step=1e-12,
                  min_sum_hessian_in_leaf=1e-12)


@pytest.mark.parametrize("spec", list(LGB))
def test_lightgbm_train_and_the_sklearn_api_equal_the_builtin(spec):
    """lgb.train({"objective": objective}) — (preds, train_data) — and LGBMRegressor(objective=objective) —
    (y_true, y_pred, weight) — give the built-in objective's model, weighted, after 20 rounds."""
    import lightgbm as lgb

    m = module_for(spec, "lightgbm")
    X, y, w = _data(spec)
    init = np.full(y.size, m.init_score(y, w))

    def trained(objective):
        data = lgb.Dataset(X, y, weight=w, init_score=init)
        booster = lgb.train({**LGB_PARAMS, "objective": objective}, data, num_boost_round=ROUNDS)
        return booster.predict(X, raw_score=True) + init

    def estimator(objective):
        model = lgb.LGBMRegressor(objective=objective, n_estimators=ROUNDS, **LGB_PARAMS)
        return model.fit(X, y, sample_weight=w, init_score=init).predict(X, raw_score=True) + init

    theirs = trained(LGB[spec])
    np.testing.assert_allclose(trained(m.objective), theirs, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(estimator(m.objective), theirs, rtol=1e-5, atol=1e-5)
    assert np.std(theirs) > 0.05


@pytest.mark.parametrize("spec", list(XGB))
def test_the_xgboost_metric_is_the_full_nll_in_both_forms(spec):
    """custom_metric= of xgb.train and eval_metric= of XGBRegressor report the weighted mean of the full negative
    log-likelihood (scipy's, log y! kept) of the model's margins — where XGBoost's own poisson-nloglik reads the raw
    margins of a custom objective as means."""
    import xgboost as xgb

    m = module_for(spec, "xgboost")
    X, y, w = _data(spec, seed=1)
    margin = np.full(y.size, m.base_margin(y, w))
    dtrain = xgb.DMatrix(X, label=y, weight=w, base_margin=margin)
    record: dict = {}
    booster = xgb.train({"max_depth": 2, "eta": 0.3, "nthread": 1, "disable_default_eval_metric": 1}, dtrain, 5,
                        obj=m.objective, custom_metric=m.metric, evals=[(dtrain, "train")], evals_result=record)
    eta = booster.predict(dtrain, output_margin=True)
    assert record["train"]["nll"][-1] == pytest.approx(_exact_nll(spec, eta, y, w), rel=1e-6)
    model = xgb.XGBRegressor(objective=m.objective, eval_metric=m.metric, n_estimators=5, max_depth=2,
                             learning_rate=0.3, n_jobs=1)
    model.fit(X, y, sample_weight=w, base_margin=margin, eval_set=[(X, y)], sample_weight_eval_set=[w],
              base_margin_eval_set=[margin], verbose=False)
    eta = model.predict(X, base_margin=margin, output_margin=True).astype(float)
    assert model.evals_result()["validation_0"]["metric"][-1] == pytest.approx(_exact_nll(spec, eta, y, w), rel=1e-6)
    assert m.metric(y, eta) == pytest.approx(_exact_nll(spec, eta, y, None), rel=1e-12)


@pytest.mark.parametrize("spec", list(LGB))
def test_the_lightgbm_metric_is_the_full_nll_in_both_forms(spec):
    import lightgbm as lgb

    m = module_for(spec, "lightgbm")
    X, y, w = _data(spec, seed=2)
    init = np.full(y.size, m.init_score(y, w))
    data = lgb.Dataset(X, y, weight=w, init_score=init)
    record: dict = {}
    booster = lgb.train({**LGB_PARAMS, "objective": m.objective, "metric": "None"}, data, num_boost_round=5,
                        feval=m.metric, valid_sets=[data], valid_names=["train"],
                        callbacks=[lgb.record_evaluation(record)])
    eta = booster.predict(X, raw_score=True) + init
    assert record["train"]["nll"][-1] == pytest.approx(_exact_nll(spec, eta, y, w), rel=1e-6)
    model = lgb.LGBMRegressor(objective=m.objective, n_estimators=5, **{**LGB_PARAMS, "metric": "None"})
    model.fit(X, y, sample_weight=w, init_score=init, eval_set=[(X, y)], eval_sample_weight=[w],
              eval_init_score=[init], eval_metric=m.metric)
    eta = model.predict(X, raw_score=True) + init
    (recorded,) = model.evals_result_.values()  # LightGBM names the set "training" when it is the training data
    assert recorded["nll"][-1] == pytest.approx(_exact_nll(spec, eta, y, w), rel=1e-6)


BAD_LABELS = [("poisson-log", [1.0, 2.0, -1.0, 3.0], 2, "counts"), ("poisson-log", [1.0, 2.5], 1, "counts"),
              ("bernoulli-logit", [0.0, 1.0, 2.0], 2, "0 or 1"), ("beta-logit", [0.3, 0.0, 0.5], 1, "between 0 and 1"),
              ("beta-logit", [0.3, 0.5, 1.0], 2, "between 0 and 1"), ("gamma-log", [1.0, np.nan], 1, "positive"),
              ("gaussian-identity", [1.0, np.inf], 1, "finite")]


@pytest.mark.parametrize("spec, labels, first, words", BAD_LABELS)
@pytest.mark.parametrize("library", ["xgboost", "lightgbm"])
def test_labels_outside_the_support_are_refused_naming_the_first(spec, labels, first, words, library):
    """objective, grad, hess, loss, metric and the base margin raise a ValueError that names the first label
    outside the family's support — as count:poisson and binary:logistic refuse them — instead of training on it."""
    m = module_for(spec, library)
    y = np.array(labels)
    eta = np.zeros(y.size)
    params = {"phi": 1.0, "k": 1.0, "sigma": 1.0}
    objective = m.make_objective(**{k: v for k, v in params.items() if k in m.make_objective.__code__.co_varnames})
    calls = [lambda: objective(y, eta), lambda: m.grad(eta, y, **_taking(m.grad, params)),
             lambda: m.hess(eta, y, **_taking(m.hess, params)), lambda: m.loss(eta, y, **_taking(m.loss, params)),
             lambda: m.make_metric(**_taking(m.make_metric, params))(y, eta),
             lambda: getattr(m, "base_margin" if library == "xgboost" else "init_score")(y, None,
                                                                                        **_taking(m.grad, params))]
    for call in calls:
        with pytest.raises(ValueError, match=r"label %d is .*%s" % (first, words)):
            call()


def _taking(function, params):
    return {k: v for k, v in params.items() if k in function.__code__.co_varnames}


@pytest.mark.parametrize("spec, labels", [("poisson-log", [0.0, 0.0, 0.0]), ("bernoulli-logit", [1.0, 1.0]),
                                          ("bernoulli-probit", [0.0, 0.0]), ("bernoulli-cloglog", [1.0, 1.0])])
def test_an_unreachable_base_margin_is_an_error_saying_what_to_do(spec, labels):
    """All-zero counts under a log link, all-one labels under a logit: no finite optimal margin — a ValueError that
    says so and what to do, not ±inf with a NumPy warning."""
    m = module_for(spec, "xgboost")
    with pytest.raises(ValueError, match="no finite optimal margin; give a base margin of your own"):
        m.base_margin(np.array(labels))


def test_a_parameter_the_recipe_leaves_open_is_a_required_keyword():
    """The Student-t pair recipe fixes neither ν nor s: the module has no ready-made objective (a silent 1.0 made
    it a Cauchy), make_objective requires both, and the docstring says so."""
    m = module_for("student-t-identity", "xgboost")
    assert not hasattr(m, "objective") and not hasattr(m, "metric")
    with pytest.raises(TypeError, match="nu"):
        m.make_objective()
    g, h = m.make_objective(nu=3.0, s=1.0)(np.array([0.5, -1.0]), np.zeros(2))
    assert g.shape == h.shape == (2,)
    with pytest.raises(TypeError):
        m.grad(np.zeros(2), np.zeros(2))
    assert "make_objective(nu=…, s=…)" in generated("student-t-identity", "xgboost").code
    assert "a required keyword" in m.__doc__


RUFF_CASES = [(spec, target) for spec in ("gaussian-identity", "bernoulli-probit", "binomial-logit", "poisson-log",
                                           "inverse-gaussian-log", "geometric-logit", "zero-inflated-poisson-log",
                                           "categorical-softmax", "student-t-identity", "beta-logit",
                                           "heteroscedastic-gaussian", "zero-inflated-poisson", "quantile-regression",
                                           "von-mises", "cauchy-identity", "gamma-log", "huber-regression", "tweedie-log")
              for target in ("numpy", "jax", "pytorch", "xgboost", "lightgbm")]


def test_every_generated_module_passes_ruff_with_its_default_rules(tmp_path):
    """What a practitioner's linter says of the pasted module: nothing (ruff pinned in the test extras, run with
    --isolated so that this repository's settings play no part)."""
    for spec, target in RUFF_CASES:
        (tmp_path / ("%s__%s.py" % (spec.replace("-", "_"), target))).write_text(generate(spec, target).code)
    out = subprocess.run([sys.executable, "-m", "ruff", "check", "--isolated", "--output-format", "concise",
                          str(tmp_path)], capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr
