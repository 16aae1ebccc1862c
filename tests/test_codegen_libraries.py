"""Generated code in the real libraries: PyTorch against its built-in losses (float32, values and autograd
gradients), JAX under jit against the NumPy code, XGBoost and LightGBM custom objectives against their
built-in objectives, and boosting for assumptions no library has, scored by scipy's exact likelihood."""
import re

import numpy as np
import pytest
import scipy.stats as st
from codegen_helpers import bound_module
from scipy.special import ndtr

torch = pytest.importorskip("torch")
ETA = np.linspace(-100, 100, 401)


def _pair(values, targets):
    x = torch.tensor(values, dtype=torch.float32, requires_grad=True)
    return x, torch.tensor(targets, dtype=torch.float32)


def _same_value_and_gradient(ours, builtin, values, targets, **kw):
    a, t = _pair(values, targets)
    b, _ = _pair(values, targets)
    mine, theirs = ours(a, t, **kw), builtin(b, t)
    mine.backward()
    theirs.backward()
    torch.testing.assert_close(mine, theirs, rtol=1e-5, atol=1e-6)
    torch.testing.assert_close(a.grad, b.grad, rtol=1e-5, atol=2e-7)  # float32: ε ≈ 1.2e-7 on gradients near ±1


@pytest.mark.parametrize("reduction", ["mean", "sum"])
def test_pytorch_bce_with_logits(reduction):
    m = bound_module("bernoulli-logit", "pytorch")
    for y in (0.0, 1.0):
        _same_value_and_gradient(lambda a, t: m.loss(a, t, reduction), torch.nn.BCEWithLogitsLoss(reduction=reduction),
                                 ETA, np.full_like(ETA, y))


def test_pytorch_poisson_mse_l1():
    rng = np.random.default_rng(0)
    counts = rng.poisson(3, ETA.size).astype(float)
    _same_value_and_gradient(bound_module("poisson-log", "pytorch").loss,
                             torch.nn.PoissonNLLLoss(log_input=True, full=False), ETA, counts)
    targets = rng.normal(0, 30, ETA.size)
    _same_value_and_gradient(bound_module("gaussian-identity", "pytorch").loss, torch.nn.MSELoss(), ETA, targets)
    _same_value_and_gradient(bound_module("laplace-identity", "pytorch").loss, torch.nn.L1Loss(), ETA + 0.25, targets)


def test_pytorch_gaussian_nll_with_a_learned_sigma():
    m = bound_module("gaussian-identity-learned-sigma", "pytorch")
    rng = np.random.default_rng(1)
    targets, sigma = rng.normal(0, 30, ETA.size), 2.5
    gauss = torch.nn.GaussianNLLLoss(full=False)
    _same_value_and_gradient(lambda a, t: m.loss(a, t, sigma=sigma),
                             lambda a, t: gauss(a, t, torch.full_like(t, sigma ** 2)), ETA, targets)


def test_pytorch_cross_entropy_on_logits_of_a_thousand():
    m = bound_module("categorical-softmax", "pytorch")
    rng = np.random.default_rng(2)
    logits = rng.uniform(-1000, 1000, (50, 3))
    classes = rng.integers(0, 3, 50)
    a = torch.tensor(logits, dtype=torch.float32, requires_grad=True)
    b = torch.tensor(logits, dtype=torch.float32, requires_grad=True)
    mine = m.loss(a, torch.tensor(classes))  # class indices, as CrossEntropyLoss takes them
    theirs = torch.nn.CrossEntropyLoss()(b, torch.tensor(classes))
    mine.backward()
    theirs.backward()
    torch.testing.assert_close(mine, theirs, rtol=1e-5, atol=1e-5)
    torch.testing.assert_close(a.grad, b.grad, rtol=1e-5, atol=1e-7)
    one_hot = torch.nn.functional.one_hot(torch.tensor(classes), 3).float()
    torch.testing.assert_close(m.loss(a, one_hot), theirs)


def test_pytorch_probit_in_float32_tails():
    m = bound_module("bernoulli-probit", "pytorch")
    x = torch.tensor([-40.0, -10.0, 10.0, 40.0], requires_grad=True)
    out = m.loss(x, torch.ones(4), reduction="none")
    assert torch.all(torch.isfinite(out))
    out.sum().backward()
    assert torch.all(torch.isfinite(x.grad))
    assert float(out[0].detach()) == pytest.approx(804.6084420137538, rel=1e-6)


def test_jax_code_is_jit_compatible_and_equals_numpy():
    jax = pytest.importorskip("jax")
    jax.config.update("jax_enable_x64", True)
    for spec in ("bernoulli-probit", "bernoulli-cloglog", "negative-binomial-log", "poisson-log", "categorical-softmax"):
        mj, mn = bound_module(spec, "jax"), bound_module(spec, "numpy")
        if spec.startswith("categorical"):
            eta, y = np.array([[1000.0, -3.0, 2.0], [0.1, 0.2, 0.3]]), np.array([[0.0, 1, 0], [1, 0, 0]])
        else:
            eta, y = np.array([-30.0, -2.0, 0.5, 3.0]), np.array([1.0, 0.0, 1.0, 0.0])
        for name in ("loss", "grad", "hess"):
            got = np.asarray(jax.jit(getattr(mj, name))(eta, y))
            # the Hessians used where the curvature is proved positive cancel far on the wrong side: the cloglog's
            # where it is tiny (1e-13 at η = −30), the probit's η + mills(η) (3 digits at η = −30, and JAX's
            # log_ndtr is not SciPy's to the last digit)
            rtol, atol = (1e-6, 1e-15) if name == "hess" else (1e-9, 1e-300)
            np.testing.assert_allclose(got, getattr(mn, name)(eta, y), rtol=rtol, atol=atol)
        grad_of_sum = jax.grad(lambda e: mj.loss(e, y).sum())(eta)  # autodiff of the stable loss agrees too
        np.testing.assert_allclose(np.asarray(grad_of_sum), mn.grad(eta, y), rtol=1e-9, atol=1e-12)


def test_autodiff_through_the_stable_loss_far_in_the_tails():
    """jax.grad and torch autograd of the generated loss equal the generated gradient where the helper's unused
    branch would be infinite (cloglog at η = −40: log1p(−e^{−z}) is −∞ at z = e^{−40}; no 0·∞ leaks through where)."""
    jax = pytest.importorskip("jax")
    jax.config.update("jax_enable_x64", True)
    eta, y = np.array([-40.0, -5.0, 0.5, 3.0]), np.array([1.0, 0.0, 1.0, 1.0])
    expected = bound_module("bernoulli-cloglog", "numpy").grad(eta, y)
    mj = bound_module("bernoulli-cloglog", "jax")
    np.testing.assert_allclose(np.asarray(jax.jit(jax.grad(lambda e: mj.loss(e, y).sum()))(eta)), expected, rtol=1e-9)
    mt = bound_module("bernoulli-cloglog", "pytorch")
    x = torch.tensor(eta, dtype=torch.float64, requires_grad=True)
    mt.loss(x, torch.tensor(y, dtype=torch.float64), reduction="sum").backward()
    np.testing.assert_allclose(x.grad.numpy(), expected, rtol=1e-9)


# -- gradient boosting -----------------------------------------------------------------------------------

def _data(spec, n=300, seed=0):
    """Inputs, and targets drawn from the assumption itself with a true margin η = 0.8·x₀ − 0.5·x₁ + 0.3."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 3))
    eta = 0.8 * X[:, 0] - 0.5 * X[:, 1] + 0.3
    family = spec.rsplit("-", 1)[0]
    if spec == "gaussian-identity":
        y = eta + rng.normal(size=n)
    elif family == "bernoulli":
        y = rng.binomial(1, ndtr(eta) if spec.endswith("probit") else 1 / (1 + np.exp(-eta))).astype(float)
    elif spec == "poisson-log":
        y = rng.poisson(np.exp(eta)).astype(float)
    elif spec == "gamma-log":
        y = rng.gamma(2.0, np.exp(eta) / 2.0)
    elif spec == "negative-binomial-log":
        y = st.nbinom(1.0, 1 / (1 + np.exp(eta))).rvs(n, random_state=rng).astype(float)
    elif spec == "weibull-log":
        y = st.weibull_min(1.0, scale=np.exp(eta)).rvs(n, random_state=rng)
    elif spec == "beta-logit":
        mu = 1 / (1 + np.exp(-eta))
        y = np.clip(rng.beta(mu * 5.0, (1 - mu) * 5.0), 1e-6, 1 - 1e-6)
    return X, y


XGB_PAIRS = [("gaussian-identity", "reg:squarederror"), ("bernoulli-logit", "binary:logistic"),
             ("poisson-log", "count:poisson"), ("gamma-log", "reg:gamma")]


@pytest.mark.parametrize("spec, builtin", XGB_PAIRS)
@pytest.mark.parametrize("weighted", [False, True])
def test_xgboost_custom_objective_equals_the_builtin(spec, builtin, weighted):
    xgb = pytest.importorskip("xgboost")
    m = bound_module(spec, "xgboost")
    X, y = _data(spec)
    w = np.random.default_rng(5).uniform(0.5, 2.0, y.size) if weighted else None
    margin = np.full(y.size, m.base_margin(y, w))
    params = {"max_depth": 3, "eta": 0.3, "lambda": 1.0, "max_delta_step": 0, "tree_method": "exact", "nthread": 1,
              "seed": 0}

    def fit(**extra):
        dtrain = xgb.DMatrix(X, label=y, weight=w, base_margin=margin)
        booster = xgb.train({**params, **extra.pop("params", {})}, dtrain, num_boost_round=20, **extra)
        return booster.predict(dtrain, output_margin=True)

    ours = fit(obj=m.objective, params={"disable_default_eval_metric": 1})
    theirs = fit(params={"objective": builtin})
    np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-5)
    assert np.std(ours) > 0.05  # the trees did learn something


LGB_PAIRS = [("gaussian-identity", "regression"), ("bernoulli-logit", "binary"), ("poisson-log", "poisson"),
             ("gamma-log", "gamma")]


@pytest.mark.parametrize("spec, builtin", LGB_PAIRS)
def test_lightgbm_custom_objective_equals_the_builtin(spec, builtin):
    lgb = pytest.importorskip("lightgbm")
    m = bound_module(spec, "lightgbm")
    X, y = _data(spec)
    init = np.full(y.size, m.init_score(y))
    common = dict(n_estimators=20, learning_rate=0.3, num_leaves=8, min_child_samples=5, reg_lambda=1.0,
                  deterministic=True, force_row_wise=True, n_jobs=1, verbose=-1, boost_from_average=False,
                  poisson_max_delta_step=1e-12, min_sum_hessian_in_leaf=1e-12)
    kind = lgb.LGBMClassifier if builtin == "binary" else lgb.LGBMRegressor

    def margins(objective):
        model = kind(objective=objective, **common).fit(X, y, init_score=init)
        return model.predict(X, raw_score=True) + init

    ours, theirs = margins(m.objective), margins(builtin)
    np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-5)
    assert np.std(ours) > 0.05


SUPPORT_SAMPLES = {  # a sample from each family's support
    "real": lambda rng: rng.normal(1.0, 2.0, 400), "positive": lambda rng: rng.gamma(2.0, 1.5, 400),
    "counts": lambda rng: rng.poisson(3.0, 400).astype(float), "binary": lambda rng: rng.binomial(1, 0.3, 400) * 1.0,
    "unit": lambda rng: rng.beta(2.0, 3.0, 400), "few": lambda rng: rng.poisson(0.4, 400).astype(float),
}


@pytest.mark.parametrize("spec, support", [
    ("gaussian-identity", "real"), ("bernoulli-logit", "binary"), ("poisson-log", "counts"), ("gamma-log", "positive"),
    ("bernoulli-probit", "binary"), ("negative-binomial-log", "counts"), ("weibull-log", "positive"),
    ("beta-logit", "unit"), ("laplace-identity", "real"), ("student-t-identity", "real"),
    ("inverse-gaussian-log", "positive"), ("geometric-logit", "few"), ("log-normal-identity", "positive"),
    ("poisson-identity", "counts"), ("bernoulli-cloglog", "binary")])
def test_the_base_margin_zeroes_the_summed_gradient(spec, support):
    """base_margin(y, w) is the optimal constant margin: Σ w·∂ℓ/∂η vanishes there (closed form, median or Newton)."""
    m = bound_module(spec, "xgboost")
    rng = np.random.default_rng(3)
    y = SUPPORT_SAMPLES[support](rng)
    w = rng.uniform(0.5, 2.0, y.size)
    for weight in (None, w):
        eta = m.base_margin(y, weight)
        g = m.grad(np.full(y.size, eta), y) * (1 if weight is None else weight)
        if spec == "laplace-identity":  # a weighted median: the sum of signs changes sign there
            above = np.sum(m.grad(np.full(y.size, eta + 1e-9), y) * (1 if weight is None else weight))
            below = np.sum(m.grad(np.full(y.size, eta - 1e-9), y) * (1 if weight is None else weight))
            assert below <= 0 <= above
        else:
            assert abs(np.sum(g)) <= 1e-8 * np.sum(np.abs(g)), spec
    assert m.base_margin(y, w) == pytest.approx(bound_module(spec, "lightgbm").init_score(y, w), rel=1e-12)


def test_a_sample_the_link_cannot_reach_is_an_error_not_nan():
    m = bound_module("geometric-logit", "xgboost")  # the logit link reaches means below 1 only
    with pytest.raises(ValueError, match="outside what the logit link reaches"):
        m.base_margin(np.array([2.0, 5.0, 3.0]))


def _nll(spec, eta, y):
    """The exact negative log-likelihood of the held-out sample, from scipy.stats (all constants kept)."""
    if spec == "bernoulli-probit":
        return -np.sum(st.bernoulli(ndtr(eta)).logpmf(y))
    if spec == "negative-binomial-log":
        return -np.sum(st.nbinom(1.0, 1 / (1 + np.exp(eta))).logpmf(y))
    if spec == "weibull-log":
        return -np.sum(st.weibull_min(1.0, scale=np.exp(eta)).logpdf(y))
    mu = 1 / (1 + np.exp(-eta))
    return -np.sum(st.beta(mu * 1.0, (1 - mu) * 1.0).logpdf(y))


@pytest.mark.parametrize("spec", ["bernoulli-probit", "negative-binomial-log", "weibull-log", "beta-logit"])
@pytest.mark.parametrize("library", ["xgboost", "lightgbm"])
def test_boosting_an_assumption_no_library_has_lowers_the_held_out_nll(spec, library):
    """The module's default parameters (α = k = φ = 1) are those of the assumption the NLL is scored under; the data
    are drawn with α = k = 1 (and beta's φ = 5: boosting under φ = 1 must still find the mean)."""
    X, y = _data(spec, n=600, seed=7)
    Xt, yt, Xh, yh = X[:400], y[:400], X[400:], y[400:]
    m = bound_module(spec, library)
    if library == "xgboost":
        xgb = pytest.importorskip("xgboost")
        start = m.base_margin(yt)
        dtrain = xgb.DMatrix(Xt, label=yt, base_margin=np.full(yt.size, start))
        booster = xgb.train({"max_depth": 2, "eta": 0.2, "nthread": 1, "disable_default_eval_metric": 1}, dtrain,
                            num_boost_round=20, obj=m.objective)
        held = booster.predict(xgb.DMatrix(Xh, base_margin=np.full(yh.size, start)), output_margin=True)
    else:
        lgb = pytest.importorskip("lightgbm")
        start = m.init_score(yt)
        model = lgb.LGBMRegressor(objective=m.objective, n_estimators=20, learning_rate=0.2, num_leaves=4,
                                  verbose=-1, n_jobs=1).fit(Xt, yt, init_score=np.full(yt.size, start))
        held = model.predict(Xh, raw_score=True) + start
    before, after = _nll(spec, np.full(yh.size, start), yh), _nll(spec, held, yh)
    assert np.isfinite(after) and after < before, (before, after)


def _classes(n=600, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 3))
    logits = np.c_[X[:, 0], -X[:, 1], 0.5 * X[:, 2]]
    p = np.exp(logits - logits.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    return X, np.array([rng.choice(3, p=row) for row in p])


def test_xgboost_multiclass_equals_softprob_up_to_its_hessian_factor():
    """multi:softprob uses 2·p(1 − p); with the generated Hessian doubled the two models are the same — the
    gradient and the diagonal are right — and the generated objective itself lowers held-out cross-entropy."""
    xgb = pytest.importorskip("xgboost")
    m = bound_module("categorical-softmax", "xgboost")
    X, y = _classes()
    Xt, yt, Xh, yh = X[:400], y[:400], X[400:], y[400:]
    start = m.base_margin(yt)
    assert np.allclose(m.grad(np.tile(start, (400, 1)), np.eye(3)[yt]).sum(axis=0), 0, atol=1e-10)
    params = {"num_class": 3, "max_depth": 2, "eta": 0.3, "max_delta_step": 0, "tree_method": "exact", "nthread": 1}

    def train(**extra):
        dtrain = xgb.DMatrix(Xt, label=yt, base_margin=np.tile(start, (len(yt), 1)))
        booster = xgb.train({**params, **extra.pop("params", {})}, dtrain, num_boost_round=20, **extra)
        return booster, booster.predict(dtrain, output_margin=True)

    def doubled(predt, dtrain):
        g, h = m.objective(predt, dtrain)
        return g, 2 * h

    _, ours = train(obj=doubled, params={"disable_default_eval_metric": 1})
    _, theirs = train(params={"objective": "multi:softprob"})
    np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-5)
    booster, _ = train(obj=m.objective, params={"disable_default_eval_metric": 1})
    held = booster.predict(xgb.DMatrix(Xh, base_margin=np.tile(start, (len(yh), 1))), output_margin=True)
    before = np.mean(m.loss(np.tile(start, (len(yh), 1)), np.eye(3)[yh]))
    assert np.mean(m.loss(held, np.eye(3)[yh])) < before


def test_lightgbm_multiclass_equals_its_builtin_up_to_its_hessian_factor():
    """LightGBM's multiclass uses K/(K − 1)·p(1 − p): with that factor the generated objective gives its model."""
    lgb = pytest.importorskip("lightgbm")
    m = bound_module("categorical-softmax", "lightgbm")
    X, y = _classes(400, seed=1)
    init = np.tile(m.init_score(y), (len(y), 1))
    common = dict(n_estimators=20, learning_rate=0.3, num_leaves=4, min_child_samples=5, reg_lambda=1.0,
                  deterministic=True, force_row_wise=True, n_jobs=1, verbose=-1, min_sum_hessian_in_leaf=1e-12)

    def scaled(y_true, y_pred, weight=None):
        g, h = m.objective(y_true, y_pred, weight)
        return g, 1.5 * h

    ours = lgb.LGBMClassifier(objective=scaled, **common).fit(X, y, init_score=init).predict(X, raw_score=True)
    theirs = lgb.LGBMClassifier(objective="multiclass", **common).fit(X, y, init_score=init).predict(X, raw_score=True)
    np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-5)
    with pytest.raises(ValueError, match="class 2 never occurs"):
        m.init_score(np.array([0, 1, 1, 0]), classes=3)


@pytest.mark.parametrize("k", [0.7, 2.0])
def test_weibull_boosting_takes_the_fisher_information_not_the_swinging_curvature(k):
    """The Weibull's curvature k²(y·e^(−η))^k is positive but swings with each y: one boosting round with it makes the
    training NLL explode at k = 2; the Fisher information k², what the generated objective uses, lowers it."""
    xgb = pytest.importorskip("xgboost")
    from codegen_helpers import module_for

    booster_module, exact = module_for("weibull-log", "xgboost"), module_for("weibull-log", "numpy")
    rng = np.random.default_rng(0)
    X = rng.normal(size=(2000, 3))
    y = st.weibull_min(k, scale=np.exp(0.8 * X[:, 0] - 0.5 * X[:, 1] + 0.3)).rvs(random_state=rng)
    start = np.full(y.size, booster_module.base_margin(y, k=k))

    def nll(margins):
        return -st.weibull_min(k, scale=np.exp(margins)).logpdf(y).mean()

    def one_round(objective):
        dtrain = xgb.DMatrix(X, label=y, base_margin=start)
        booster = xgb.train({"max_depth": 3, "eta": 0.3, "nthread": 1, "tree_method": "exact",
                             "disable_default_eval_metric": 1}, dtrain, 1, obj=objective)
        return nll(booster.predict(dtrain, output_margin=True))

    def curvature(predt, dtrain):
        labels = dtrain.get_label()
        return exact.grad(predt, labels, k=k), exact.hess(predt, labels, k=k)

    assert booster_module.make_objective(k=k)(y, start)[1] == pytest.approx(np.full(y.size, k**2))
    assert one_round(booster_module.make_objective(k=k)) < nll(start) - 0.05
    if k == 2.0:
        with np.errstate(all="ignore"):
            assert not one_round(curvature) < nll(start)  # the exact curvature: 2.6 → 10¹¹ in this sample


def test_the_laplace_surrogate_follows_the_unit_of_y():
    """MAE boosting with a constant Hessian of 1 ties accuracy to the unit y is measured in; the generated objective's
    Hessian is the Fisher information 1/b² over the mean loss at the optimal constant (computed once from the labels:
    1/(b·MAD)), so the held-out error relative to the unit is the same at y × 1, × 5 and × 100 — and far below the
    intercept's."""
    lgb = pytest.importorskip("lightgbm")
    from codegen_helpers import module_for

    m = module_for("laplace-identity", "lightgbm")
    rng = np.random.default_rng(0)
    X = rng.normal(size=(3000, 3))
    location = 2 * X[:, 0] - X[:, 1] + 1
    noise = rng.laplace(size=3000)
    errors = []
    for unit in (1.0, 5.0, 100.0):
        y = unit * (location + noise)
        start = np.full(y.size, m.init_score(y))
        model = lgb.LGBMRegressor(objective=m.make_objective(b=1.0), n_estimators=100, learning_rate=0.1,
                                  num_leaves=15, verbose=-1, n_jobs=1)
        held = model.fit(X[:2000], y[:2000], init_score=start[:2000]).predict(X[2000:], raw_score=True) + start[2000:]
        errors.append(np.sqrt(np.mean((held - unit * location[2000:]) ** 2)) / unit)
        intercept = np.sqrt(np.mean((start[2000:] - unit * location[2000:]) ** 2)) / unit
        assert errors[-1] < 0.25 * intercept, (unit, errors[-1], intercept)
    assert max(errors) < 1.1 * min(errors), errors


def _tweedie_sample(n=3000, p=1.5, phi=1.0):
    """A compound Poisson–gamma sample: N ~ Poisson(μ^(2−p)/(φ(2 − p))) gamma amounts of shape (2 − p)/(p − 1)."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(n, 3))
    mu = np.exp(0.5 * X[:, 0] - 0.3 * X[:, 1])
    counts = rng.poisson(mu ** (2 - p) / (phi * (2 - p)))
    shape, scale = (2 - p) / (p - 1), phi * (p - 1) * mu ** (p - 1)
    y = np.where(counts > 0, rng.gamma(np.maximum(shape * counts, 1e-12), scale), 0.0)
    return X, y, mu


def test_tweedie_objectives_are_xgboost_and_lightgbm_tweedie_and_the_metric_is_statsmodels():
    """reg:tweedie and LightGBM's tweedie (power 1.5) reproduced after 20 rounds; the metric's full NLL — log a(y, φ)
    by the series — equal to statsmodels' Tweedie log-likelihood."""
    import statsmodels.api as sm
    import xgboost as xgb
    lgb = pytest.importorskip("lightgbm")
    from codegen_helpers import module_for

    X, y, mu = _tweedie_sample()
    xm, lm = module_for("tweedie-log", "xgboost"), module_for("tweedie-log", "lightgbm")
    reference = -sm.families.Tweedie(var_power=1.5, link=sm.families.links.Log()).loglike_obs(y, mu, scale=0.8)
    np.testing.assert_allclose(xm.nll(np.log(mu), y, phi=0.8), reference, rtol=1e-10, atol=1e-12)
    margin = np.full(y.size, xm.base_margin(y))
    data = xgb.DMatrix(X, label=y, base_margin=margin)
    params = {"max_depth": 3, "eta": 0.3, "tree_method": "hist", "max_delta_step": 0, "nthread": 1}
    builtin = xgb.train({**params, "objective": "reg:tweedie", "tweedie_variance_power": 1.5}, data, 20)
    ours = xgb.train(params, data, 20, obj=xm.objective)
    np.testing.assert_allclose(ours.predict(data, output_margin=True), builtin.predict(data, output_margin=True),
                               atol=1e-5)
    init = np.full(y.size, lm.init_score(y))
    common = dict(n_estimators=20, learning_rate=0.3, num_leaves=8, verbose=-1, n_jobs=1, boost_from_average=False)
    lb = lgb.LGBMRegressor(objective="tweedie", tweedie_variance_power=1.5, **common).fit(X, y, init_score=init)
    lo = lgb.LGBMRegressor(objective=lm.objective, **common).fit(X, y, init_score=init)
    np.testing.assert_allclose(lo.predict(X, raw_score=True), lb.predict(X, raw_score=True), atol=1e-6)


@pytest.mark.parametrize("unit", [1.0, 100.0])
def test_quantile_boosting_lands_within_two_percent_of_lightgbms_quantile_objective(unit):
    """LightGBM's `quantile` re-fits each leaf to the α-quantile of its residuals, which a custom objective cannot;
    the generated one takes the Fisher information of the asymmetric Laplace (the density at the quantile) over the
    mean pinball loss at the optimal constant. Held-out pinball loss within 2 % of LightGBM's, in two units of y."""
    lgb = pytest.importorskip("lightgbm")
    from codegen_helpers import module_for
    from sklearn.metrics import mean_pinball_loss

    m = module_for("quantile-regression", "lightgbm")
    rng = np.random.default_rng(0)
    X = rng.normal(size=(6000, 4))
    y = unit * (2 * X[:, 0] - X[:, 1] + (1 + np.abs(X[:, 2])) * rng.standard_t(5, size=6000))
    train, held = slice(0, 4000), slice(4000, None)
    common = dict(n_estimators=200, learning_rate=0.05, num_leaves=15, verbose=-1, n_jobs=1)
    builtin = lgb.LGBMRegressor(objective="quantile", alpha=0.9, **common).fit(X[train], y[train])
    start = m.init_score(y[train], sigma=1.0)
    at = [mean_pinball_loss(y[train], np.full(4000, c), alpha=0.9) for c in (start, np.quantile(y[train], 0.9))]
    assert at[0] <= at[1] + 1e-12  # the intercept-only fit: a 0.9-quantile of the labels
    ours = lgb.LGBMRegressor(objective=m.make_objective(sigma=1.0), **common).fit(
        X[train], y[train], init_score=np.full(4000, start))
    reference = mean_pinball_loss(y[held], builtin.predict(X[held]), alpha=0.9)
    generated = mean_pinball_loss(y[held], ours.predict(X[held], raw_score=True) + start, alpha=0.9)
    assert generated < 1.02 * reference, (generated, reference)


def test_pytorch_refuses_a_target_of_another_shape_and_float_class_indices():
    """BCEWithLogitsLoss refuses a (6, 1) input against a target of 6 (broadcasting would give a 6 × 6 loss: 0.900
    instead of 1.284); so does the generated loss. A float target of class indices is refused, integer indices
    give CrossEntropyLoss's value."""
    torch = pytest.importorskip("torch")
    bce = bound_module("bernoulli-logit", "pytorch")
    logits, target = torch.randn(6, 1), torch.randint(0, 2, (6,)).float()
    with pytest.raises(ValueError):
        torch.nn.BCEWithLogitsLoss()(logits, target)
    with pytest.raises(ValueError, match=r"the target must have the input's shape \(6, 1\), got \(6,\)"):
        bce.loss(logits, target)
    assert float(bce.loss(logits, target[:, None])) == pytest.approx(
        float(torch.nn.BCEWithLogitsLoss()(logits, target[:, None])), rel=1e-6)
    ce = bound_module("categorical-softmax", "pytorch")
    scores, classes = torch.randn(5, 3), torch.tensor([0, 2, 1, 1, 0])
    assert float(ce.loss(scores, classes)) == pytest.approx(float(torch.nn.CrossEntropyLoss()(scores, classes)),
                                                            rel=1e-6)
    with pytest.raises(ValueError, match="class indices must be integers"):
        ce.loss(scores, classes.float())
    with pytest.raises(ValueError, match="one-hot target must have the input's shape"):
        ce.loss(scores, torch.zeros(5, 4))


@pytest.mark.parametrize("spec, good, bad, message", [
    ("bernoulli-logit", [0.0, 1.0, 1.0], [0.0, 0.5, 1.0], "label 1 is 0.5: the bernoulli family's labels are 0 or 1"),
    ("poisson-log", [0.0, 3.0, 7.0], [0.0, 3.0, -1.0], "label 2 is -1.0: the poisson family's labels are counts"),
    ("poisson-log", [0.0, 3.0, 7.0], [2.5, 3.0, 1.0], "label 0 is 2.5"),
    ("gamma-log", [0.5, 3.0, 7.0], [0.5, 0.0, 7.0], "label 1 is 0.0: the gamma family's labels are positive"),
    ("gaussian-identity", [-1.0, 3.0, 7.0], [1.0, float("nan"), 2.0], "label 1 is nan"),
    ("tobit", [0.0, 3.0, 0.5], [0.0, -0.5, 1.0], "label 1 is -0.5"),
])
def test_pytorch_losses_refuse_a_label_outside_the_support(spec, good, bad, message):
    """A built-in's path (BCEWithLogitsLoss, PoissonNLLLoss) and the autograd Function's alike: a label the family
    cannot produce is a ValueError naming it, as the NumPy and boosting modules' are — PyTorch's own losses take a
    Poisson label of −1 or a Bernoulli label of 0.5 without a word."""
    torch = pytest.importorskip("torch")
    m = bound_module(spec, "pytorch")
    eta = torch.tensor([0.3, -0.2, 1.1], requires_grad=True)
    m.loss(eta, torch.tensor(good)).backward()
    assert torch.isfinite(eta.grad).all()
    with pytest.raises(ValueError, match=re.escape(message)):
        m.loss(eta, torch.tensor(bad))


def test_pytorchs_own_losses_take_those_labels_without_a_word():
    """The README's contrast: PoissonNLLLoss takes a label of −1, BCEWithLogitsLoss one of 0.5 — a number, no error."""
    torch = pytest.importorskip("torch")
    assert torch.isfinite(torch.nn.PoissonNLLLoss()(torch.zeros(2), torch.tensor([-1.0, 2.0])))
    assert torch.isfinite(torch.nn.BCEWithLogitsLoss()(torch.zeros(2), torch.tensor([0.5, 1.0])))


@pytest.mark.parametrize("spec, good, bad, message", [
    ("zero-inflated-poisson", [0.0, 1.0], [0.0, 2.5], "label 1 is 2.5: the zero-inflated-poisson family's labels"),
    ("heteroscedastic-gaussian", [0.0, 1.0], [float("inf"), 1.0], "label 0 is inf"),
    ("beta-mean-precision", [0.3, 0.5], [0.3, 1.0], "label 1 is 1.0: the beta family's labels are numbers strictly"),
])
def test_pytorch_losses_of_several_parameters_refuse_a_label_outside_the_support(spec, good, bad, message):
    torch = pytest.importorskip("torch")
    m = bound_module(spec, "pytorch")
    eta = torch.zeros(2, len(m.PARAMETERS), requires_grad=True)
    m.loss(eta, torch.tensor(good)).backward()
    assert torch.isfinite(eta.grad).all()
    with pytest.raises(ValueError, match=re.escape(message)):
        m.loss(eta, torch.tensor(bad))


def test_pytorch_weight_and_pos_weight_are_the_builtins():
    """`weight` and `pos_weight` mean what BCEWithLogitsLoss's mean; `weight` per class what CrossEntropyLoss's
    means (the mean over the rows' weights) — values and autograd gradients."""
    torch = pytest.importorskip("torch")
    g = torch.Generator().manual_seed(0)
    logits = torch.randn(8, 3, generator=g, dtype=torch.float64)
    target = (torch.rand(8, 3, generator=g) > 0.5).to(torch.float64)
    weight, pos_weight = torch.rand(8, 3, generator=g, dtype=torch.float64), torch.tensor([0.5, 2.0, 3.0])
    bce = bound_module("bernoulli-logit", "pytorch")
    for reduction in ("mean", "sum", "none"):
        ours = bce.loss(logits, target, weight=weight, pos_weight=pos_weight, reduction=reduction)
        theirs = torch.nn.BCEWithLogitsLoss(weight=weight, pos_weight=pos_weight, reduction=reduction)(logits, target)
        torch.testing.assert_close(ours, theirs, rtol=1e-12, atol=1e-12)
    ce = bound_module("categorical-softmax", "pytorch")
    classes, per_class = torch.tensor([0, 2, 1, 1, 0, 2, 2, 1]), torch.tensor([0.2, 1.0, 3.0], dtype=torch.float64)
    for reduction in ("mean", "sum", "none"):
        x = logits.clone().requires_grad_(True)
        ours = ce.loss(x, classes, weight=per_class, reduction=reduction)
        ours.sum().backward()
        y = logits.clone().requires_grad_(True)
        theirs = torch.nn.CrossEntropyLoss(weight=per_class, reduction=reduction)(y, classes)
        theirs.sum().backward()
        torch.testing.assert_close(ours, theirs, rtol=1e-12, atol=1e-12)
        torch.testing.assert_close(x.grad, y.grad, rtol=1e-10, atol=1e-12)


def test_pytorch_categorical_takes_the_class_dimension_where_cross_entropy_does():
    """An input of shape (N, C, d) with class indices (N, d), as CrossEntropyLoss takes it (classes on dimension 1):
    the same values, per position and reduced, and the same gradient."""
    torch = pytest.importorskip("torch")
    g = torch.Generator().manual_seed(1)
    scores = torch.randn(4, 3, 5, generator=g, dtype=torch.float64)
    classes = torch.randint(0, 3, (4, 5), generator=g)
    ce = bound_module("categorical-softmax", "pytorch")
    for reduction in ("none", "mean"):
        x, y = scores.clone().requires_grad_(True), scores.clone().requires_grad_(True)
        ours, theirs = ce.loss(x, classes, reduction=reduction), torch.nn.CrossEntropyLoss(reduction=reduction)(y, classes)
        torch.testing.assert_close(ours, theirs, rtol=1e-12, atol=1e-12)
        ours.sum().backward()
        theirs.sum().backward()
        torch.testing.assert_close(x.grad, y.grad, rtol=1e-10, atol=1e-12)
