"""Each built-in recipe ends where the reference articles say it does."""
import random

import numpy as np
import pytest
import sympy as sp
from conftest import BUILTINS, derived, unrolled_equal
from scipy import stats

from mlederive import derive
from mlederive import symbolic as S

i, n, y, eta, x, k, K, j = S.i, S.n, S.y, S.eta, S.x, S.k, S.K, S.j
sigma = sp.Symbol("sigma", positive=True)
b = sp.Symbol("b", positive=True)
softmax_k = sp.exp(eta[i, k]) / sp.Sum(sp.exp(eta[i, j]), (j, 1, K))

# Written out here by hand from the reference articles, independently of the pipeline.
EXPECTED_LOSS = {
    "gaussian-identity": sp.Sum((y[i] - eta[i]) ** 2, (i, 1, n)) / n,
    "gaussian-identity-learned-sigma": sp.Sum(sp.log(sigma) + (y[i] - eta[i]) ** 2 / (2 * sigma**2), (i, 1, n)) / n,
    "bernoulli-logit": -sp.Sum(y[i] * sp.log(S.sigmoid(eta[i])) + (1 - y[i]) * sp.log(1 - S.sigmoid(eta[i])), (i, 1, n)) / n,
    "categorical-softmax": -sp.Sum(sp.Sum(y[i, k] * sp.log(softmax_k), (k, 1, K)), (i, 1, n)) / n,
    "laplace-identity": sp.Sum(sp.Abs(y[i] - eta[i]), (i, 1, n)) / n,
    "poisson-log": sp.Sum(sp.exp(eta[i]) - y[i] * eta[i], (i, 1, n)) / n,
    # MAP recipes: the likelihood part of the loss (the penalty is tested in test_map.py)
    "ridge-regression": sp.Sum((y[i] - eta[i]) ** 2, (i, 1, n)) / n,
    "lasso-regression": sp.Sum((y[i] - eta[i]) ** 2, (i, 1, n)),
}
EXPECTED_GRADIENT = {
    "gaussian-identity": sp.Sum(2 * (eta[i] - y[i]) * x[i], (i, 1, n)) / n,
    "gaussian-identity-learned-sigma": sp.Sum((eta[i] - y[i]) * x[i], (i, 1, n)) / (n * sigma**2),
    "bernoulli-logit": sp.Sum((S.sigmoid(eta[i]) - y[i]) * x[i], (i, 1, n)) / n,
    "categorical-softmax": sp.Sum((softmax_k - y[i, k]) * x[i], (i, 1, n)) / n,
    "laplace-identity": sp.Sum(sp.sign(eta[i] - y[i]) * x[i], (i, 1, n)) / n,
    "poisson-log": sp.Sum((sp.exp(eta[i]) - y[i]) * x[i], (i, 1, n)) / n,
    "ridge-regression": sp.Sum(2 * (eta[i] - y[i]) * x[i], (i, 1, n)) / n,
    "lasso-regression": sp.Sum(2 * (eta[i] - y[i]) * x[i], (i, 1, n)),
}
EXPECTED_NAME = {
    "gaussian-identity": "mean squared error (MSE)",
    "gaussian-identity-learned-sigma": "Gaussian negative log-likelihood",
    "bernoulli-logit": "binary cross-entropy (BCE)",
    "categorical-softmax": "cross-entropy (CE)",
    "laplace-identity": "mean absolute error (MAE)",
    "poisson-log": "Poisson negative log-likelihood",
    "ridge-regression": "mean squared error (MSE)",
    "lasso-regression": "sum of squared errors (SSE)",
}


def one_hot_sub(expr, size=4, classes=3):
    """Apply Σ_k y_ik = 1 for concrete rows, as the categorical's support requires."""
    for r in range(1, size + 1):
        expr = expr.subs(y[r, classes], 1 - sum(y[r, c] for c in range(1, classes)))
    return expr


@pytest.mark.parametrize("name", BUILTINS)
def test_loss_is_the_textbook_loss(name):
    d = derived(name)
    assert d.loss_name.startswith(EXPECTED_NAME[name])
    a, e = d.loss.subs({n: 4, K: 3}).doit(), EXPECTED_LOSS[name].subs({n: 4, K: 3}).doit()
    diff = S.expand_functions(one_hot_sub(a - e))
    assert sp.simplify(sp.expand_log(diff, force=True)) == 0


@pytest.mark.parametrize("name", BUILTINS)
def test_gradient_is_the_textbook_gradient(name):
    d = derived(name)
    assert unrolled_equal(d.gradient, EXPECTED_GRADIENT[name])


def test_gaussian_log_likelihood_matches_the_article():
    # −n log σ − (n/2) log 2π − Σ(y_i − ŷ_i)²/(2σ²)
    d = derived("gaussian-identity")
    expanded = next(s for s in d.steps if s.title.startswith("Expand")).expr
    article = -n * sp.log(sigma) - n * sp.log(2 * sp.pi) / 2 - sp.Sum((y[i] - eta[i]) ** 2, (i, 1, n)) / (2 * sigma**2)
    assert expanded == article  # same form, not just the same value
    dropped = next(s for s in d.steps if s.title.startswith("Drop")).payload.dropped
    assert set(dropped) == {-n * sp.log(sigma), -n * sp.log(2 * sp.pi) / 2}


def test_learned_sigma_keeps_log_sigma_and_has_sigma_gradient():
    d = derived("gaussian-identity-learned-sigma")
    assert set(d.gradients) == {"theta", "sigma"}
    expected = 1 / sigma - sp.Sum((y[i] - eta[i]) ** 2, (i, 1, n)) / (n * sigma**3)
    assert unrolled_equal(d.gradients["sigma"], expected)
    dropped = next(s for s in d.steps if s.title.startswith("Drop")).payload.dropped
    assert dropped == (-n * sp.log(2 * sp.pi) / 2,)


def test_laplace_drops_log_2b_and_rescales_by_b():
    d = derived("laplace-identity")
    dropped = next(s for s in d.steps if s.title.startswith("Drop")).payload.dropped
    assert dropped == (-n * sp.log(2 * b),)


def test_sum_reduction_gives_sum_of_squared_errors(tmp_path):
    f = tmp_path / "sse.yaml"
    f.write_text("name: sse\ntitle: SSE\nfamily: gaussian\nlink: identity\nreduction: sum\n")
    d = derive(str(f))
    assert d.verified and d.loss_name == "sum of squared errors (SSE)"
    assert unrolled_equal(d.loss, sp.Sum((y[i] - eta[i]) ** 2, (i, 1, n)))


def test_generic_predictor_gradient_uses_the_model_jacobian(tmp_path):
    f = tmp_path / "g.yaml"
    f.write_text("name: g\ntitle: G\nfamily: bernoulli\nlink: logit\npredictor: generic\n")
    d = derive(str(f))
    assert d.verified
    from mlederive.predictors import GradF
    assert d.gradient.has(GradF)


# -- independent references -------------------------------------------------------------------

def _values(rng, name):
    if name.startswith("gaussian") or name.endswith("-regression"):
        return rng.normal(), rng.normal(), {"sigma": rng.uniform(0.3, 3)}
    if name == "bernoulli-logit":
        return float(rng.integers(0, 2)), rng.normal(), {}
    if name == "laplace-identity":
        return rng.normal(), rng.normal(), {"b": rng.uniform(0.3, 3)}
    if name == "poisson-log":
        return float(rng.integers(0, 12)), rng.normal(), {}
    raise KeyError(name)


def _scipy_logpdf(name, yv, etav, p):
    if name.startswith("gaussian") or name.endswith("-regression"):
        return stats.norm(loc=etav, scale=p["sigma"]).logpdf(yv)
    if name == "bernoulli-logit":
        return stats.bernoulli(1 / (1 + np.exp(-etav))).logpmf(yv)
    if name == "laplace-identity":
        return stats.laplace(loc=etav, scale=p["b"]).logpdf(yv)
    if name == "poisson-log":
        return stats.poisson(np.exp(etav)).logpmf(yv)


@pytest.mark.parametrize("name", [n_ for n_ in BUILTINS if n_ != "categorical-softmax"])
def test_full_log_likelihood_matches_scipy(name):
    d = derived(name)
    rng = np.random.default_rng(0)
    f = sp.lambdify([S.y0, S.eta0, *d.model.params.values()],
                    S.expand_functions(S.observation_view(d.loglik_summand)), modules=["scipy", "numpy"])
    for _ in range(25):
        yv, etav, p = _values(rng, name)
        ours = f(yv, etav, *[p[k_] for k_ in d.model.params])
        ref = _scipy_logpdf(name, yv, etav, p)
        assert abs(ours - ref) <= 1e-10 * max(1.0, abs(ref))


def test_categorical_log_likelihood_matches_scipy_multinomial():
    d = derived("categorical-softmax")
    m = d.model
    rng = np.random.default_rng(1)
    K_ = m.classes
    ll = d.loglik_summand.subs(K, K_).doit()
    for _ in range(25):
        logits = rng.normal(size=K_)
        cls = int(rng.integers(0, K_))
        onehot = np.eye(K_)[cls]
        vals = {eta[i, c + 1]: logits[c] for c in range(K_)}
        vals.update({y[i, c + 1]: int(onehot[c]) for c in range(K_)})
        ours = float(ll.xreplace(vals).evalf(30))
        probs = np.exp(logits) / np.exp(logits).sum()
        ref = stats.multinomial(1, probs).logpmf(onehot)
        assert abs(ours - ref) <= 1e-10 * max(1.0, abs(ref))


@pytest.mark.parametrize("name", BUILTINS)
def test_gradient_matches_finite_differences(name):
    """Central differences of the concrete loss in θ against the derived gradient."""
    d = derived(name)
    m = d.model
    size, dim = 4, 2
    rng = random.Random(3)
    classes = m.classes if m.one_hot else None
    outs = list(range(1, classes + 1)) if classes else [None]
    thetas = {(kk, c): rng.uniform(-0.7, 0.7) for kk in outs for c in range(1, dim + 1)}
    xs = {(r, c): rng.uniform(-1, 1) for r in range(1, size + 1) for c in range(1, dim + 1)}
    ys = {}
    for r in range(1, size + 1):
        if m.one_hot:
            hot = rng.randrange(classes)
            ys.update({y[r, c + 1]: int(c == hot) for c in range(classes)})
        elif name == "bernoulli-logit":
            ys[y[r]] = rng.randint(0, 1)
        elif name == "poisson-log":
            ys[y[r]] = rng.randint(0, 6)
        else:
            ys[y[r]] = rng.uniform(-2, 2)
    params = {s: 1.3 for s in m.params.values()}

    def eta_values(th):
        out = {}
        for r in range(1, size + 1):
            for kk in outs:
                key = eta[r] if kk is None else eta[r, kk]
                out[key] = sum(th[(kk, c)] * xs[(r, c)] for c in range(1, dim + 1))
        return out

    loss = S.expand_functions(d.loss.subs({n: size, K: classes or 1}).doit())

    def loss_at(th):
        return float(loss.xreplace({**eta_values(th), **ys, **params}).evalf(30))

    h = 1e-6
    for (kk, c) in thetas:
        up, down = dict(thetas), dict(thetas)
        up[(kk, c)] += h
        down[(kk, c)] -= h
        numeric = (loss_at(up) - loss_at(down)) / (2 * h)
        g = d.gradient.subs({n: size, K: classes or 1, **({k: kk} if kk else {})}).doit()
        g = g.xreplace({x[r]: xs[(r, c)] for r in range(1, size + 1)})
        exact = float(S.expand_functions(g).xreplace({**eta_values(thetas), **ys, **params}).evalf(30))
        assert abs(numeric - exact) <= 1e-5 * max(1.0, abs(exact)), (kk, c, numeric, exact)


def _theta_free_parts(summand, model):
    """Additive parts of one observation's term free of θ, once logs of products and powers are split and products
    opened over their sums one level (a power of a sum, (y − μ)², stays whole)."""
    from mlederive.derivation.likelihood import depends_on_theta, opened

    split = sp.expand_log(summand, force=True)
    return [part for term in sp.Add.make_args(split) for part in sp.Add.make_args(opened(term))
            if not depends_on_theta(part, model)]


@pytest.mark.parametrize("pair", [p for p in __import__("mlederive.recipe", fromlist=["pair_names"]).pair_names()])
def test_after_dropping_the_theta_free_terms_none_is_left(pair):
    """gamma-log kept k·log k, weibull-log (k − 1)·log y, beta-logit −log y and −log(1 − y), the negative binomial
    y·log α; each dropped term is listed in the step's words."""
    d = derive(pair, verify_steps=False)
    step = d.step("drop-constants")
    assert not _theta_free_parts(S.to_summand(step.expr), d.model), pair
    for term in step.payload.dropped:
        assert any(term in note.math[0].parts for note in step.notes), (pair, term)


def test_the_dropped_terms_of_the_issue_are_gone_and_said():
    from mlederive.render.common import plain_text

    for pair, said in (("gamma-log", "n·k·log k"), ("weibull-log", "(k − 1)·Σᵢ log yᵢ"), ("beta-logit", "−Σᵢ log yᵢ"),
                       ("beta-logit", "(φ − 1)·Σᵢ log(1 − yᵢ)"), ("negative-binomial-log", "log α·Σᵢ yᵢ")):
        d = derive(pair)
        assert d.verified, pair
        assert said in plain_text(d.step("drop-constants").justification), (pair, plain_text(
            d.step("drop-constants").justification))
    assert derive("gamma-log").loss_summand == S.eta[S.i] + S.y[S.i] * sp.exp(-S.eta[S.i])  # no "− log k" left
