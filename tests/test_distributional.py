"""Models with several predicted parameters (distributional regression), against independent references: scipy's
densities, NGBoost's gradients and Fisher matrices, statsmodels' BetaModel, NegativeBinomial and ZeroInflatedPoisson,
PyTorch's GaussianNLLLoss — and the verifier rejecting each kind of wrong step they bring (a gradient in one η, a
mixed partial, a Fisher entry, a moment, a substitution of the wrong link, an indicator's case)."""
from __future__ import annotations

import dataclasses
import math
import random

import mpmath
import numpy as np
import pytest
import sympy as sp
from conftest import DISTRIBUTIONAL
from scipy import stats

from mlederive import symbolic as S
from mlederive.derivation import derive
from mlederive.errors import RecipeError
from mlederive.recipe import parse_recipe
from mlederive.verification import verify


@pytest.fixture(scope="module")
def docs():
    return {}


def doc(docs, name):
    if name not in docs:
        docs[name] = derive(name)
    return docs[name]


def plain(d):
    """(y, [η_p …], a function turning an observation's expression into an mpmath callable of (y, *η))."""
    m = d.model
    y = sp.Symbol("y", real=True)
    etas = [sp.Symbol(p.eta.label.name, real=True) for p in m.predicted]
    subs = {m.y_obs(): y, **{p.eta[S.i]: e for p, e in zip(m.predicted, etas)}}
    values = {name: sp.nsimplify(v) for name, v in d.recipe.values.items()}
    known = {m.params[k]: v for k, v in values.items() if k in m.params}

    def compile_(expr):
        e = S.expand_functions(expr.xreplace(subs).xreplace(known)).subs(S.n, 1)
        return sp.lambdify([y] + etas, e, modules="mpmath")

    return y, etas, compile_


# -- what each recipe's full log-likelihood is, by an independent library ------------------------------------------

def _logit_inv(e):
    return 1 / (1 + math.exp(-e))


def _statsmodels_beta(y, e_mu, e_phi):
    from statsmodels.othermod.betareg import BetaModel

    model = BetaModel(np.array([y, 0.5]), np.ones((2, 1)), exog_precision=np.ones((2, 1)))
    return model.loglikeobs(np.array([e_mu, e_phi]))[0]


def _statsmodels_nb(y, e_mu, e_alpha):
    """statsmodels' NB2 log-likelihood at α (its loglikeobs reads the last parameter as log α: _transparams), checked
    against scipy's nbinom with n = 1/α, p = 1/(1 + αμ)."""
    from statsmodels.discrete.discrete_model import NegativeBinomial

    model = NegativeBinomial(np.array([y, 1.0]), np.ones((2, 1)), loglike_method="nb2")
    mu, alpha = math.exp(e_mu), math.exp(e_alpha)
    by_scipy = stats.nbinom(1 / alpha, 1 / (1 + alpha * mu)).logpmf(y)
    by_statsmodels = model.loglikeobs(np.array([e_mu, e_alpha if model._transparams else alpha]))[0]
    assert by_statsmodels == pytest.approx(by_scipy, rel=1e-10)
    return by_scipy


def _statsmodels_zip(y, e_lam, e_pi):
    from statsmodels.discrete.count_model import ZeroInflatedPoisson

    model = ZeroInflatedPoisson(np.array([y, 1.0]), np.ones((2, 1)), exog_infl=np.ones((2, 1)), inflation="logit")
    return model.loglikeobs(np.array([e_pi, e_lam]))[0]  # the inflation model's parameters come first


REFERENCE = {
    "heteroscedastic-gaussian": (lambda y, m, s: stats.norm(m, math.exp(s)).logpdf(y), "real"),
    "student-t-location-scale": (lambda y, m, s: stats.t(3, m, math.exp(s)).logpdf(y), "real"),
    "laplace-location-scale": (lambda y, m, b: stats.laplace(m, math.exp(b)).logpdf(y), "real"),
    "gamma-mean-shape": (lambda y, m, k: stats.gamma(a=math.exp(k), scale=math.exp(m) / math.exp(k)).logpdf(y),
                         "positive"),
    "beta-mean-precision": (_statsmodels_beta, "unit"),
    "negative-binomial-mean-dispersion": (_statsmodels_nb, "count"),
    "zero-inflated-poisson": (_statsmodels_zip, "count"),
}


def _points(kind, rng, count=12):
    for n in range(count):
        y = {"real": rng.uniform(-3, 3), "positive": rng.uniform(0.05, 5), "unit": rng.uniform(0.02, 0.98),
             "count": float(0 if n % 3 == 0 else rng.randint(1, 9))}[kind]
        yield y, rng.uniform(-1.2, 1.2), rng.uniform(-1.0, 1.0)


def test_every_distributional_recipe_has_a_reference():
    assert sorted(REFERENCE) == sorted(DISTRIBUTIONAL)


@pytest.mark.parametrize("name", DISTRIBUTIONAL)
def test_derived_and_verified_with_a_step_per_parameter(docs, name):
    d = doc(docs, name)
    assert d.verified, [(s.id, c.detail) for s, c in zip(d.steps, d.checks) if not c.verified]
    names = [p.name for p in d.model.predicted]
    assert len(names) == 2
    ids = [s.id for s in d.steps]
    for p in names:
        assert "grad-eta-" + p in ids and "grad-theta-" + p in ids
    assert "hessian" in ids and d.step("hessian").expr.shape == (2, 2)
    assert set(d.gradients) == {"theta_" + p for p in names}


@pytest.mark.parametrize("name", DISTRIBUTIONAL)
def test_full_log_likelihood_equals_the_reference(docs, name):
    d = doc(docs, name)
    _, _, compile_ = plain(d)
    loglik = compile_(d.loglik_summand)
    reference, kind = REFERENCE[name]
    for y, a, b in _points(kind, random.Random(name)):
        assert float(loglik(y, a, b)) == pytest.approx(reference(y, a, b), rel=1e-10, abs=1e-12), (y, a, b)


@pytest.mark.parametrize("name", DISTRIBUTIONAL)
def test_gradient_and_hessian_equal_finite_differences(docs, name):
    """Every entry, against central differences of the derived loss at 50 digits (the loss is the reference: the
    scipy test above fixes it)."""
    d = doc(docs, name)
    _, _, compile_ = plain(d)
    loss = compile_(d.loss_summand)
    grads = [compile_(g) for g in d.grad_eta_obs]
    hess = [[compile_(h) for h in d.curvature_obs.row(r)] for r in range(2)]
    h = mpmath.mpf(10) ** -15
    with mpmath.workdps(50):
        for y, a, b in _points(REFERENCE[name][1], random.Random("fd-" + name), 6):
            if name == "laplace-location-scale" and abs(y - a) < 1e-3:
                continue  # the kink: no derivative there
            at = [mpmath.mpf(a), mpmath.mpf(b)]
            for p in range(2):
                up, down = list(at), list(at)
                up[p] += h
                down[p] -= h
                fd = (loss(y, *up) - loss(y, *down)) / (2 * h)
                assert float(grads[p](y, *at)) == pytest.approx(float(fd), rel=1e-9, abs=1e-12)
                for q in range(2):
                    if name == "laplace-location-scale" and p == q == 0:
                        continue  # 2δ(y − μ)/b: zero away from the kink
                    fd2 = (grads[q](y, *up) - grads[q](y, *down)) / (2 * h)
                    value = hess[q][p](y, *at)
                    assert float(value) == pytest.approx(float(fd2), rel=1e-9, abs=1e-12), (p, q)


@pytest.mark.parametrize("name, distribution", [("heteroscedastic-gaussian", "Normal"),
                                                ("student-t-location-scale", "TFixedDf"),
                                                ("laplace-location-scale", "Laplace")])
def test_gradient_and_fisher_equal_ngboost(docs, name, distribution):
    """NGBoost's d_score is the gradient of −log p in (loc, log scale), its metric the Fisher matrix there."""
    import ngboost.distns
    from ngboost.manifold import manifold
    from ngboost.scores import LogScore

    d = doc(docs, name)
    _, _, compile_ = plain(d)
    grads = [compile_(g) for g in d.grad_eta_obs]
    fisher = [[compile_(f) for f in d.fisher_obs.row(r)] for r in range(2)]
    rng = np.random.default_rng(7)
    params = np.vstack([rng.uniform(-1, 1, 6), rng.uniform(-0.8, 0.8, 6)])
    y = params[0] + rng.normal(0, 1.5, 6)
    dist = manifold(LogScore, getattr(ngboost.distns, distribution))(params)
    d_score, metric = dist.d_score(y), dist.metric()
    for j in range(6):
        at = (y[j], params[0, j], params[1, j])
        assert [float(g(*at)) for g in grads] == pytest.approx(list(d_score[j]), rel=1e-10, abs=1e-12)
        ours = np.array([[float(f(*at)) for f in row] for row in fisher])
        # NGBoost's Laplace and t metrics are exact closed forms; its Normal's too
        assert ours == pytest.approx(metric[j], rel=1e-10, abs=1e-12)


def test_beta_gradient_and_fisher_equal_statsmodels(docs):
    """BetaModel's score factors are ∂ℓ/∂η per observation; with observed=False its Hessian factors are E[∂²ℓ]."""
    from statsmodels.othermod.betareg import BetaModel

    d = doc(docs, "beta-mean-precision")
    _, _, compile_ = plain(d)
    grads = [compile_(g) for g in d.grad_eta_obs]
    fisher = [[compile_(f) for f in d.fisher_obs.row(r)] for r in range(2)]
    rng = random.Random(3)
    for _ in range(5):
        y, a, b = rng.uniform(0.05, 0.95), rng.uniform(-1, 1), rng.uniform(0, 2)
        model = BetaModel(np.array([y, 0.4]), np.ones((2, 1)), exog_precision=np.ones((2, 1)))
        scores, hessians = model.score_hessian_factor(np.array([a, b]), return_hessian=True, observed=False)
        assert [float(g(y, a, b)) for g in grads] == pytest.approx([-scores[0][0], -scores[1][0]], rel=1e-9)
        expected = np.array([[hessians[0][0], hessians[1][0]], [hessians[1][0], hessians[2][0]]])
        assert np.array([[float(f(y, a, b)) for f in row] for row in fisher]) == pytest.approx(-expected, rel=1e-8)


def test_zero_inflated_gradient_equals_statsmodels_score(docs):
    from statsmodels.discrete.count_model import ZeroInflatedPoisson

    d = doc(docs, "zero-inflated-poisson")
    _, _, compile_ = plain(d)
    grads = [compile_(g) for g in d.grad_eta_obs]
    for y, a, b in _points("count", random.Random("zip-score"), 9):
        model = ZeroInflatedPoisson(np.array([y, 2.0]), np.ones((2, 1)), exog_infl=np.ones((2, 1)))
        score = model.score_obs(np.array([b, a]))[0]  # (inflation, main): ∂ℓ/∂η_π, ∂ℓ/∂η_λ
        assert [float(g(y, a, b)) for g in grads] == pytest.approx([-score[1], -score[0]], rel=1e-8, abs=1e-12)


@pytest.mark.parametrize("name", [n for n in DISTRIBUTIONAL if n != "negative-binomial-mean-dispersion"])
def test_fisher_is_the_expected_hessian_by_quadrature_and_positive_semidefinite(docs, name):
    """E[H] by scipy's quadrature (a sum for counts) over the family's own density, independent of SymPy; and F ⪰ 0."""
    from scipy import integrate

    d = doc(docs, name)
    _, _, compile_ = plain(d)
    density = compile_(sp.exp(d.loglik_summand))
    hessian = [[compile_(h) for h in d.curvature_obs.row(r)] for r in range(2)]
    fisher = [[compile_(f) for f in d.fisher_obs.row(r)] for r in range(2)]
    kind = REFERENCE[name][1]
    rng = random.Random("fisher-" + name)
    for _ in range(3):
        a, b = rng.uniform(-0.8, 0.8), rng.uniform(-0.5, 0.7)
        ours = np.array([[float(f(0.5, a, b)) for f in row] for row in fisher])  # y is not in it
        assert np.linalg.eigvalsh(ours).min() >= -1e-12
        if name == "laplace-location-scale":
            continue  # its H_μμ is 2δ(y − μ)/b: NGBoost's closed form above is the reference
        for p in range(2):
            for q in range(2):
                def f(y):
                    return float(hessian[p][q](y, a, b) * density(y, a, b))
                if kind == "count":
                    value = sum(f(float(y)) for y in range(0, 400))
                elif kind == "unit":  # log singularities at both ends: tanh-sinh (mpmath), not QUADPACK
                    with mpmath.workdps(30):
                        value = float(mpmath.quad(lambda t: hessian[p][q](t, a, b) * density(t, a, b), [0, 0.5, 1]))
                else:
                    low, high = {"real": (-np.inf, np.inf), "positive": (0, np.inf), "unit": (0, 1)}[kind]
                    value = integrate.quad(f, low, high, epsabs=1e-12, epsrel=1e-10, limit=200)[0]
                assert ours[p, q] == pytest.approx(value, rel=1e-6, abs=1e-9), (p, q)


def test_negative_binomial_has_no_fisher_matrix_and_says_why(docs):
    d = doc(docs, "negative-binomial-mean-dispersion")
    assert d.fisher_obs is None and "fisher" not in [s.id for s in d.steps]
    assert "no closed form" in str(d.step("hessian").notes[0])


def test_torch_gaussian_nll_loss_is_the_heteroscedastic_loss(docs):
    """nn.GaussianNLLLoss(full=True) with var = σ² is the full negative log-likelihood; without full, the derived
    loss (log(2π)/2 dropped) — mean over the sample both."""
    import torch

    d = doc(docs, "heteroscedastic-gaussian")
    _, _, compile_ = plain(d)
    loss = compile_(d.loss_summand)
    rng = np.random.default_rng(5)
    y, mu, s = rng.normal(size=8), rng.normal(size=8), rng.uniform(-1, 1, 8)
    var = torch.tensor(np.exp(2 * s))
    ours = np.mean([float(loss(*v)) for v in zip(y, mu, s)])
    plain_torch = torch.nn.GaussianNLLLoss()(torch.tensor(mu), torch.tensor(y), var).item()
    full_torch = torch.nn.GaussianNLLLoss(full=True)(torch.tensor(mu), torch.tensor(y), var).item()
    assert ours == pytest.approx(plain_torch, rel=1e-12)
    assert ours + 0.5 * math.log(2 * math.pi) == pytest.approx(full_torch, rel=1e-12)


def test_named_as_the_gaussian_negative_log_likelihood(docs):
    d = doc(docs, "heteroscedastic-gaussian")
    assert d.loss_name == "Gaussian negative log-likelihood, mean over the sample"


# -- the verifier rejects each kind of wrong step ------------------------------------------------------------------

def _rejects(d, step_id, expr=None, payload=None, display=None):
    step = d.step(step_id)
    changes = {}
    if expr is not None:
        changes["expr"] = expr
    if payload is not None:
        changes["payload"] = payload
    if display is not None:
        changes["display"] = display
    wrong = verify(d.replace_step(dataclasses.replace(step, **changes)))
    check = dict(zip([s.id for s in wrong.steps], wrong.checks))[step_id]
    return not check.verified and check.method != "not checked"


def test_a_wrong_gradient_in_one_eta_is_rejected(docs):
    d = doc(docs, "heteroscedastic-gaussian")
    step = d.step("grad-eta-sigma")
    assert _rejects(d, "grad-eta-sigma", expr=2 * step.expr)
    # the gradient of the other parameter is not this one's
    assert _rejects(d, "grad-eta-sigma", expr=d.step("grad-eta-mu").expr)


def test_a_wrong_mixed_partial_is_rejected(docs):
    d = doc(docs, "heteroscedastic-gaussian")
    h = d.step("hessian").expr
    wrong = sp.ImmutableMatrix([[h[0, 0], -h[0, 1]], [-h[1, 0], h[1, 1]]])
    assert _rejects(d, "hessian", expr=wrong, display=wrong)
    assert _rejects(d, "hessian", expr=sp.ImmutableMatrix([[h[0, 0]]]), display=sp.ImmutableMatrix([[h[0, 0]]]))


def test_a_hessian_matrix_said_convex_is_rejected(docs):
    d = doc(docs, "heteroscedastic-gaussian")
    step = d.step("hessian")
    assert _rejects(d, "hessian", payload=dataclasses.replace(step.payload, convex=True))


def test_a_wrong_fisher_entry_moment_or_coefficient_is_rejected(docs):
    d = doc(docs, "heteroscedastic-gaussian")
    step = d.step("fisher")
    f = step.expr
    wrong = sp.ImmutableMatrix([[f[0, 0], f[0, 1]], [f[1, 0], 2 * f[1, 1]]])
    assert _rejects(d, "fisher", expr=wrong, display=wrong)
    moments = list(step.payload.moments)
    moments[1] = (moments[1][0], 2 * moments[1][1])  # E[(y − μ)²] = 2σ²: the entries follow it, the density not
    c = step.payload.coefficients
    lied = dataclasses.replace(step.payload, moments=tuple(moments))
    f2 = sp.ImmutableMatrix(2, 2, [c0 + sum(cj * e for cj, (_, e) in zip(cs, moments)) for c0, cs in c])
    assert _rejects(d, "fisher", expr=f2, display=f2, payload=lied)
    coefficients = list(c)
    coefficients[3] = (coefficients[3][0] + 1, coefficients[3][1])
    assert _rejects(d, "fisher", payload=dataclasses.replace(step.payload, coefficients=tuple(coefficients)))


def test_a_wrong_moment_without_a_closed_form_is_rejected_by_quadrature(docs):
    d = doc(docs, "student-t-location-scale")
    step = d.step("fisher")
    moments = list(step.payload.moments)
    moments[0] = (moments[0][0], moments[0][1] * sp.Rational(101, 100))
    c = step.payload.coefficients
    f2 = sp.ImmutableMatrix(2, 2, [c0 + sum(cj * e for cj, (_, e) in zip(cs, moments)) for c0, cs in c])
    assert _rejects(d, "fisher", expr=f2, display=f2,
                    payload=dataclasses.replace(step.payload, moments=tuple(moments)))


def test_the_wrong_link_substituted_is_rejected(docs):
    d = doc(docs, "heteroscedastic-gaussian")
    step = d.step("density")
    m = d.model
    sigma = m.predicted[1]
    subs = {**step.payload.subs, sigma.value[S.i]: sigma.eta[S.i] ** 2}  # σ = η² is not the log link's inverse
    assert _rejects(d, "density", expr=d.step("model").expr.xreplace(subs),
                    payload=dataclasses.replace(step.payload, subs=subs), display=d.step("model").expr.xreplace(subs))


def test_a_dropped_term_in_the_second_eta_is_rejected(docs):
    d = doc(docs, "heteroscedastic-gaussian")
    step = d.step("drop-constants")
    sigma = d.model.predicted[1]
    wrong = step.expr + S.sample_sum(sigma.eta[S.i])  # − η_σ,i dropped as if it were a constant
    assert _rejects(d, "drop-constants", expr=wrong,
                    payload=dataclasses.replace(step.payload, dropped=step.payload.dropped + (-S.sample_sum(sigma.eta[S.i]),)))


def test_an_indicator_in_the_wrong_case_is_rejected(docs):
    """The zero-inflated log-likelihood with 1[y = 0] and 1 − 1[y = 0] swapped agrees with the truth nowhere but
    where both cases agree: the case split finds it."""
    d = doc(docs, "zero-inflated-poisson")
    step = d.step("expanded")
    delta = sp.KroneckerDelta(d.model.y_obs(), 0)
    wrong = step.expr.xreplace({delta: 1 - delta})
    assert wrong != step.expr
    assert _rejects(d, "expanded", expr=wrong)


# -- the recipe language ------------------------------------------------------------------------------------------

BASE = {"name": "h", "title": "t", "family": "gaussian"}


@pytest.mark.parametrize("parameters, extra, field, fragment", [
    ({"mu": {"link": "identity"}, "sigma": {"link": "log"}}, {"link": "identity"}, "link", "given twice"),
    ({"mu": "known"}, {}, "parameters.mu", "always predicted"),
    ({"mu": {"link": "identity"}, "sigma": {"link": "softmax"}}, {}, "parameters.sigma.link", "one-hot outcomes"),
    ({"mu": {"link": "identity"}, "sigma": {"link": "lgo"}}, {}, "parameters.sigma.link", "Did you mean 'log'?"),
    ({"mu": {"link": "identity"}, "sigma": {"link": "log", "prior": "x"}}, {}, "parameters.sigma.prior",
     "only its link"),
    ({"sigma": {"link": "log"}}, {}, "link", "missing"),
])
def test_recipe_errors_say_what_where_and_how(parameters, extra, field, fragment):
    with pytest.raises(RecipeError) as e:
        parse_recipe({**BASE, **extra, "parameters": parameters})
    assert field in str(e.value) and fragment in str(e.value)


def test_a_predicted_parameter_may_sit_beside_a_known_one():
    r = parse_recipe({**BASE, "family": "student-t", "parameters": {"mu": {"link": "identity"},
                                                                    "s": {"link": "softplus"}, "nu": 5}})
    assert r.predicted == {"s": "softplus"} and r.values == {"nu": 5.0}
    d = derive(r)
    assert d.verified and [p.name for p in d.model.predicted] == ["mu", "s"]


def test_json_has_a_mapping_per_parameter_and_matrices(docs):
    import json

    import jsonschema

    from mlederive.render.json import render_json, schema

    d = doc(docs, "heteroscedastic-gaussian")
    out = json.loads(render_json(d))
    jsonschema.validate(out, schema())
    obs = out["observation"]
    assert obs["symbols"]["eta"] == {"mu": "eta_mu", "sigma": "eta_sigma"}
    assert set(obs["dloss_deta"]) == {"mu", "sigma"}
    assert len(obs["fisher"]) == 2 and all(len(row) == 2 for row in obs["fisher"])
    # the entries as srepr of the derivation's own matrix (no text is parsed back)
    assert obs["fisher"][0][1] == sp.srepr(sp.S.Zero) and obs["fisher"][1][1] == sp.srepr(sp.Integer(2))


def test_a_custom_density_may_predict_its_parameters_and_use_an_indicator():
    """A zero-inflated Poisson written by hand (is_zero(y) is 1[y = 0]) with its zero probability predicted: derived,
    verified, and equal to the built-in family's log-likelihood."""
    from mlederive.recipe import read_recipe_text

    text = """
name: my-zero-inflated
title: A zero-inflated Poisson written by hand
family:
  name: zip
  density: "(p0 + (1 - p0)*exp(-mu))**is_zero(y) * ((1 - p0)*mu**y*exp(-mu)/factorial(y))**(1 - is_zero(y))"
  support: counts
  mean_domain: positive
  parameters:
    p0: known
parameters:
  mu: {link: log}
  p0: {link: logit}
"""
    d = derive(read_recipe_text(text, "my-zero-inflated.yaml"))
    assert d.verified and [p.name for p in d.model.predicted] == ["mu", "p0"]
    _, _, compile_ = plain(d)
    loglik = compile_(d.loglik_summand)
    for y, a, b in _points("count", random.Random("custom-zip"), 9):
        assert float(loglik(y, a, b)) == pytest.approx(_statsmodels_zip(y, a, b), rel=1e-10)
    assert "declares none" in str(d.step("hessian").notes[0])  # no moments declared: no Fisher matrix


def test_the_exam_asks_for_each_parameters_gradient_only_when_asked(tmp_path):
    from mlederive.exam import build_exam, standard_recipes

    assert not set(DISTRIBUTIONAL) & set(standard_recipes())
    exam = build_exam(5, 1, 4, recipes=["heteroscedastic-gaussian", "gaussian-identity"])
    kinds = [q.kind for q in exam.variants[0].questions]
    assert "derive-each" in kinds
    q = next(q for q in exam.variants[0].questions if q.kind == "derive-each")
    assert "∂loss/∂η_μ,i" in q.answer or "η_{μ,i}" in q.answer
    assert all(k != "derive-each" for q in build_exam(5, 1, 4).variants[0].questions for k in [q.kind])


@pytest.mark.parametrize("recipe", ["beta-logit", "student-t-identity", "cauchy-identity", "von-mises"])
def test_the_families_said_not_to_integrate_their_moments_do_not(recipe):
    """Beta and Student-t declare moments_integrate = False, so the verifier goes straight to the quadrature: true of
    SymPy — given its symbolic budget (8 s of CPU), it returns no closed form (the beta's E[log y]) or one it cannot
    rewrite to the stated value (the Student-t's, a Meijer G function)."""
    from mlederive.budget import BudgetExceeded, time_budget
    from mlederive.derivation import derive
    from mlederive.moments import expectation_terms
    from mlederive.verification.expectations import MOMENT_SYMBOLIC
    from mlederive.verification.prover import symbolic_zero

    m = derive(recipe, verify_steps=False).model
    assert m.family.moments_integrate is False
    t = sp.Dummy("t", real=True)
    density = m.density().xreplace(m.inverses()).xreplace({m.y_obs(): t})
    support = m.family.support
    for function, value in expectation_terms(m)[:1]:
        integral = sp.Integral(function.xreplace({m.y_obs(): t}) * density, (t, support.inf, support.sup))
        try:
            with time_budget(MOMENT_SYMBOLIC):
                closed = integral.doit()
        except BudgetExceeded:
            closed = None
        assert closed is None or closed.has(sp.Integral) or not symbolic_zero(value - closed, 8.0, m)[0], closed


@pytest.mark.parametrize("recipe", ["student-t-identity", "weibull-log"])
def test_a_wrong_scalar_fisher_by_moments_is_rejected(recipe):
    """One predicted parameter's Fisher information through the declared moments: proved as derived; a wrong value,
    a wrong coefficient stated consistently, or a wrong moment is rejected."""
    from dataclasses import replace

    from mlederive.derivation import derive
    from mlederive.verification import check_step

    d = derive(recipe, verify_steps=False)
    step = d.step("fisher")
    assert step.payload.moments and check_step(d, step).verified
    assert not check_step(d, replace(step, expr=2 * step.expr)).verified
    (c0, cs), = step.payload.coefficients
    wrong = replace(step.payload, coefficients=((c0, tuple(2 * c for c in cs)),))
    assert not check_step(d, replace(step, payload=wrong)).verified
    (m0, v0), *rest = step.payload.moments
    lie = replace(step.payload, moments=((m0, 2 * v0 + 1), *rest))
    assert not check_step(d, replace(step, payload=lie)).verified
