"""MAP (a prior on the weights) and the normal equations: derived, verified, checked against numpy/scipy,
and every new kind of step shown to reject a wrong version of itself."""
import functools
import json
from dataclasses import replace

import numpy as np
import pytest
import sympy as sp
from click.testing import CliRunner
from conftest import compile_tex
from scipy import stats

from mlederive import symbolic as S
from mlederive.cli import cli
from mlederive.derivation import derive
from mlederive.derivation.closed_form import X, Y
from mlederive.priors import PRIORS
from mlederive.recipe import parse_recipe
from mlederive.render.latex import render_latex
from mlederive.render.markdown import render_markdown
from mlederive.verification import check_step

sigma = sp.Symbol("sigma", positive=True)
tau, b = PRIORS["gaussian"].scale, PRIORS["laplace"].scale


@functools.lru_cache(maxsize=None)
def map_derivation(family="gaussian", link="identity", prior="gaussian", predictor="linear", reduction="mean"):
    return derive(parse_recipe({"name": "map", "title": "MAP", "family": family, "link": link, "prior": prior,
                                "predictor": predictor, "reduction": reduction}))


def step(d, title):
    return next(n for n, s in enumerate(d.steps) if s.title.startswith(title))


def check(d, index, new_step):
    return check_step(d, new_step)


def test_gaussian_prior_gives_ridge_with_textbook_lambda():
    d = map_derivation()
    assert d.verified
    assert sp.simplify(d.posterior.lam - sigma**2 / tau**2) == 0  # λ = σ²/τ²
    penalty = d.posterior.loss - d.loss
    assert sp.simplify(penalty - d.posterior.lam / S.n * sp.Sum(S.weights[S.j] ** 2, (S.j, 1, S.d))) == 0
    assert "L2" in d.posterior.penalty


def test_laplace_prior_gives_lasso_with_textbook_lambda():
    d = map_derivation(prior="laplace", reduction="sum")
    assert d.verified
    assert sp.simplify(d.posterior.lam - 2 * sigma**2 / b) == 0  # λ = 2σ²/b against Σ(y − η)²
    penalty = d.posterior.loss - d.loss
    assert sp.simplify(penalty - d.posterior.lam * sp.Sum(sp.Abs(S.weights[S.j]), (S.j, 1, S.d))) == 0
    assert "sign" in d.steps[step(d, "Gradient of the regularised")].justification


@pytest.mark.parametrize("family,link,prior,predictor", [
    ("bernoulli", "logit", "gaussian", "linear"), ("poisson", "log", "laplace", "linear"),
    ("gaussian", "identity", "gaussian", "generic"), ("gamma", "log", "gaussian", "linear"),
])
def test_priors_work_for_other_pairs(family, link, prior, predictor):
    d = map_derivation(family, link, prior, predictor)
    assert d.verified, [(s.title, c.detail) for s, c in zip(d.steps, d.checks) if not c.verified]


def _concrete_map_loss(d, n=4, dim=2, seed=0):
    """The derived MAP loss as a numpy function of θ for concrete data (Σ written out, η_i = θᵀx_i)."""
    rng = np.random.default_rng(seed)
    xs, ys = rng.normal(size=(n, dim)), rng.normal(size=n)
    theta = [sp.Symbol("t%d" % c, real=True) for c in range(dim)]
    expr = d.posterior.loss.subs({S.n: n, S.d: dim})
    expr = S.write_out(expr)
    expr = expr.xreplace({S.eta[r]: sum(theta[c] * float(xs[r - 1, c]) for c in range(dim)) for r in range(1, n + 1)})
    expr = expr.xreplace({S.y[r]: float(ys[r - 1]) for r in range(1, n + 1)})
    expr = expr.xreplace({S.weights[c + 1]: theta[c] for c in range(dim)})
    return sp.lambdify([theta], expr, "numpy"), xs, ys


@pytest.mark.parametrize("prior", ["gaussian", "laplace"])
def test_map_loss_is_the_scipy_negative_log_posterior_up_to_scale_and_constant(prior):
    """Differences of the derived MAP loss between θ's equal factor × differences of −log posterior (scipy)."""
    d = map_derivation(prior=prior)
    s_val, scale_val = 0.7, 1.3
    numbers = {sigma: s_val, tau: scale_val, b: scale_val}
    loss, xs, ys = _concrete_map_loss(replace(d, posterior=replace(d.posterior, loss=d.posterior.loss.subs(numbers))))
    n = len(ys)

    def neg_log_posterior(t):
        t = np.asarray(t)
        lik = stats.norm.logpdf(ys, loc=xs @ t, scale=s_val).sum()
        pri = (stats.norm.logpdf(t, scale=scale_val) if prior == "gaussian" else
               stats.laplace.logpdf(t, scale=scale_val)).sum()
        return -(lik + pri)

    factor = 2 * s_val**2 / n  # the loss step's rescaling (mean reduction) for gaussian-identity
    rng = np.random.default_rng(1)
    t0 = rng.normal(size=2)
    for _ in range(5):
        t1 = rng.normal(size=2)
        got = float(loss(t1)) - float(loss(t0))
        want = factor * (neg_log_posterior(t1) - neg_log_posterior(t0))
        assert abs(got - want) <= 1e-10 * (1 + abs(want))


def test_ridge_closed_form_matches_numpy():
    d = map_derivation()
    formula = d.steps[-1].expr
    assert d.steps[-1].relation == "stationary" and d.checks[-1].verified
    n, dim, s_val, t_val = 6, 3, 0.8, 1.5
    rng = np.random.default_rng(3)
    xs, ys = rng.normal(size=(n, dim)), rng.normal(size=(n, 1))
    value = formula.subs({S.n: n, S.d: dim, sigma: s_val, tau: t_val})
    value = value.xreplace({X.subs({S.n: n, S.d: dim}): sp.Matrix(xs), Y.subs({S.n: n}): sp.Matrix(ys)})
    got = np.array(sp.Matrix(value.doit()).evalf(), dtype=float).ravel()
    lam = s_val**2 / t_val**2
    want = np.linalg.solve(xs.T @ xs + lam * np.eye(dim), xs.T @ ys).ravel()  # sklearn Ridge(alpha=λ)
    assert np.allclose(got, want, rtol=1e-10)


def test_normal_equations_without_prior_match_least_squares():
    d = derive("gaussian-identity")
    index = step(d, "Set the gradient to zero")
    assert d.checks[index].verified
    n, dim = 5, 2
    rng = np.random.default_rng(4)
    xs, ys = rng.normal(size=(n, dim)), rng.normal(size=(n, 1))
    value = d.steps[index].expr.subs({S.n: n, S.d: dim})
    value = value.xreplace({X.subs({S.n: n, S.d: dim}): sp.Matrix(xs), Y.subs({S.n: n}): sp.Matrix(ys)})
    got = np.array(sp.Matrix(value.doit()).evalf(), dtype=float).ravel()
    assert np.allclose(got, np.linalg.lstsq(xs, ys, rcond=None)[0].ravel(), rtol=1e-10)


def test_no_closed_form_claimed_for_the_lasso_or_other_families():
    assert not any(s.relation == "stationary" for s in map_derivation(prior="laplace").steps)
    assert not any(s.relation == "stationary" for s in derive("poisson-log").steps)


# -- every new kind of step rejects a wrong version --------------------------------------------

def test_wrong_negative_log_prior_is_rejected():
    d = map_derivation()
    i = step(d, "Negative log-prior")
    bad = replace(d.steps[i], expr=d.steps[i].expr * 2)
    assert not check(d, i, bad).verified


def test_bayes_step_rejects_a_missing_or_wrong_prior_term():
    d = map_derivation()
    i = step(d, "Negative log-posterior")
    nll = d.step(d.steps[i].reference).expr
    assert not check(d, i, replace(d.steps[i], expr=nll)).verified  # prior forgotten
    assert not check(d, i, replace(d.steps[i], expr=nll - d.step(d.steps[i].also).expr)).verified  # wrong sign


def test_dropping_the_penalty_as_a_constant_is_rejected():
    d = map_derivation()
    i = step(d, "Drop the prior's")
    nll = d.step(d.steps[i - 1].reference).expr
    assert not check(d, i, replace(d.steps[i], expr=nll)).verified


def test_wrong_lambda_is_rejected():
    d = map_derivation()
    i = step(d, "Rescale: the regularised")
    wrong = d.steps[i].expr.xreplace({tau: 2 * tau})  # λ = σ²/(4τ²) instead of σ²/τ²
    assert wrong != d.steps[i].expr
    assert not check(d, i, replace(d.steps[i], expr=wrong)).verified


@pytest.mark.parametrize("prior", ["gaussian", "laplace"])
def test_wrong_penalty_gradient_is_rejected(prior):
    d = map_derivation(prior=prior)
    i = step(d, "Gradient of the regularised")
    mle_grad = d.gradient
    penalty_grad = d.steps[i].expr - mle_grad
    assert not check(d, i, replace(d.steps[i], expr=mle_grad - penalty_grad)).verified  # sign flipped
    assert not check(d, i, replace(d.steps[i], expr=mle_grad)).verified  # penalty forgotten


def test_wrong_closed_form_is_rejected():
    d = map_derivation()
    i = len(d.steps) - 1
    mle_point = (X.T * X).I * X.T * Y  # the unregularised solution is not the MAP estimate
    assert not check(d, i, replace(d.steps[i], expr=mle_point)).verified
    plain = derive("gaussian-identity")
    j = step(plain, "Set the gradient to zero")
    assert not check(plain, j, replace(plain.steps[j], expr=2 * (X.T * X).I * X.T * Y)).verified


# -- input and output ------------------------------------------------------------------------

def test_recipe_prior_errors_are_one_line():
    from mlederive.errors import RecipeError

    with pytest.raises(RecipeError, match="Did you mean 'laplace'"):
        parse_recipe({"name": "x", "title": "t", "family": "gaussian", "link": "identity", "prior": "laplac"})
    with pytest.raises(RecipeError, match="scalar families only"):
        parse_recipe({"name": "x", "title": "t", "family": "categorical", "link": "softmax", "prior": "gaussian"})


def test_cli_prior_option_json_and_errors():
    out = CliRunner().invoke(cli, ["gaussian-identity", "--prior", "laplace", "--format", "json"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    assert data["verified"] and data["map"]["prior"] == "laplace" and "L1" in data["map"]["penalty"]
    assert any(t["title"] == "The penalty in library settings" for t in data["tables"])
    out = CliRunner().invoke(cli, ["kl-coin", "--prior", "gaussian"])
    assert out.exit_code == 2 and out.output.count("\n") == 1 and "Traceback" not in out.output
    out = CliRunner().invoke(cli, ["categorical-softmax", "--prior", "gaussian"])
    assert out.exit_code == 2 and "scalar families only" in out.output


def test_map_exports_compile(tmp_path):
    d = map_derivation()
    tex = tmp_path / "ridge.tex"
    tex.write_text(render_latex(d))
    log = compile_tex(tex)
    assert "Overfull \\hbox" not in log
    md = render_markdown(d)
    assert "\\lambda" in md and md.count("$$") % 2 == 0


def test_closed_form_claims_hold_for_any_n_and_d():
    """The normal equations are proved from the loss's coefficients, not at one written-out size."""
    for name in ("gaussian-identity", "ridge-regression"):
        d = derive(name)
        c = d.checks[[s.id for s in d.steps].index("normal-equations")]
        assert c.verified and c.method.value == "symbolic", (name, c.detail)
        assert "any n, d" in c.detail and "n=3" not in c.detail


@pytest.mark.parametrize("wrong", [
    lambda lam: ((X.T * X + lam * sp.Identity(S.d)).I * X.T * Y) / 2,       # a factor ½
    lambda lam: (X.T * X + 1 / lam * sp.Identity(S.d)).I * X.T * Y,        # λ inverted (τ²/σ²)
    lambda lam: (X.T * X + 2 * lam * sp.Identity(S.d)).I * X.T * Y,        # 2λ
    lambda lam: -(X.T * X + lam * sp.Identity(S.d)).I * X.T * Y,           # sign
    lambda lam: (X.T * X - lam * sp.Identity(S.d)).I * X.T * Y,            # −λ
    lambda lam: (X.T * X + lam * sp.Identity(S.d)).I * X.T * X * X.T * Y,  # not of the shape
    lambda lam: 0 * X.T * Y,                                               # the zero vector
])
def test_wrong_ridge_closed_form_is_rejected(wrong):
    d = map_derivation()
    i = len(d.steps) - 1
    lam = sp.Symbol("sigma", positive=True) ** 2 / sp.Symbol("tau", positive=True) ** 2
    assert d.steps[i].expr == (X.T * X + lam * sp.Identity(S.d)).I * X.T * Y  # the right one, for the record
    assert not check(d, i, replace(d.steps[i], expr=wrong(lam))).verified


def test_the_prior_reads_as_a_textbook_writes_it_and_the_data_term_comes_first():
    """1/(τ√(2π))·exp(−θ_j²/(2τ²)) (proved equal to the density), (d/2)·log(2πτ²) rather than d·log τ + (d/2)·log 2 +
    (d/2)·log π, and in ridge and lasso alike the data term before the penalty."""
    from mlederive.render.common import plain_text
    from mlederive.render.latex import render_latex

    for name in ("ridge-regression", "lasso-regression"):
        d = derive(name)
        assert d.verified
        prior = d.step("prior")
        assert prior.display is not None and d.checks[d.steps.index(prior)].scope == "textbook form"
        tex = render_latex(d)
        for step_id in ("negative-log-posterior", "drop-prior-constants", "map-loss"):
            label = d.step(step_id).lhs_latex
            row = tex[tex.index(label + " &="):].split("\\end{align*}")[0]
            assert row.index("\\sum_{i=1}^{n}") < row.index("\\sum_{j=1}^{d}"), (name, step_id)
    ridge = derive("ridge-regression")
    assert "(d/2)·log(2πτ²)" in plain_text(ridge.step("drop-prior-constants").justification)
    assert "d·log(2b)" in plain_text(derive("lasso-regression").step("drop-prior-constants").justification)
