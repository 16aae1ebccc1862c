"""The verifier must accept every correct step and reject every corrupted one."""
from dataclasses import replace

import pytest
import sympy as sp
from conftest import derived

from mlederive import symbolic as S
from mlederive.relations import Differentiation, Dropped, Expectation, Substituted
from mlederive.verification import check_step
from mlederive.verification.prover import Claim, prove

i, n, y, eta, x = S.i, S.n, S.y, S.eta, S.x
sigma = sp.Symbol("sigma", positive=True)


def step_index(d, title_start):
    for index, step in enumerate(d.steps):
        if step.title.startswith(title_start):
            return index
    raise KeyError(title_start)


def check_replaced(name, title, **changes):
    """Verify a single corrupted step of an otherwise correct derivation."""
    d = derived(name)
    index = step_index(d, title)
    return check_step(d, replace(d.steps[index], **changes))


def test_every_builtin_step_verifies(builtin):
    assert builtin.verified
    assert all(c.verified for c in builtin.checks)
    # proved, except θ̂'s "positive definite Hessian", which holds only for X of full rank: checked at random X
    assert {c.method for s, c in zip(builtin.steps, builtin.checks) if s.relation != "stationary"} \
        <= {"symbolic", "definition"}


CORRUPTIONS = {
    "negation not applied (sign flip)": (
        "gaussian-identity", "Negate", dict(expr=-S.sample_sum((y[i] - eta[i]) ** 2 / (2 * sigma**2)))),
    "θ-dependent term dropped as a constant": (
        "gaussian-identity-learned-sigma", "Drop", dict(expr=S.sample_sum(-(y[i] - eta[i]) ** 2 / (2 * sigma**2)),
                                                        payload=Dropped(dropped=(-n * sp.log(sigma), -n * sp.log(2 * sp.pi) / 2)))),
    "dropped list does not match the difference": (
        "gaussian-identity", "Drop", dict(payload=Dropped(dropped=(-n * sp.log(sigma),)))),
    "rescaled by a negative factor": (
        "gaussian-identity", "Rescale", dict(expr=-S.sample_sum((y[i] - eta[i]) ** 2) / n)),
    "rescaled by an observation-dependent weight": (
        "gaussian-identity", "Rescale", dict(expr=S.sample_sum(y[i] ** 2 * (y[i] - eta[i]) ** 2) / n)),
    "wrong factor in the expanded log": (
        "gaussian-identity", "Expand", dict(expr=-n * sp.log(sigma) - n * sp.log(2 * sp.pi)
                                            - S.sample_sum((y[i] - eta[i]) ** 2) / (2 * sigma**2))),
    "log step that forgets the log": (
        "poisson-log", "Log-likelihood", dict(expr=sp.Sum(S.to_factor(derived("poisson-log").steps[2].expr), (i, 1, n)))),
    "wrong gradient sign (BCE)": (
        "bernoulli-logit", "Gradient with respect to η", dict(expr=(y[i] - S.sigmoid(eta[i])) / n)),
    "MSE gradient missing its factor 2": (
        "gaussian-identity", "Gradient with respect to η", dict(expr=(eta[i] - y[i]) / n)),
    "θ-gradient missing the input x_i": (
        "bernoulli-logit", "Gradient with respect to θ", dict(expr=S.sample_sum((S.sigmoid(eta[i]) - y[i]) / n))),
    "wrong link inverse (exp for logit)": (
        "bernoulli-logit", "One observation", dict(
            expr=sp.exp(eta[i]) ** y[i] * (1 - sp.exp(eta[i])) ** (1 - y[i]), payload=Substituted(inverse=sp.exp(eta[i])))),
    "softmax gradient with the sign flipped": (
        "categorical-softmax", "Gradient with respect to η",
        dict(expr=(y[i, S.k] - sp.exp(eta[i, S.k]) / sp.Sum(sp.exp(eta[i, S.j]), (S.j, 1, S.K))) / n)),
    "σ gradient with the wrong power": (
        "gaussian-identity-learned-sigma", "Gradient with respect to sigma",
        dict(expr=1 / sigma - S.sample_sum((y[i] - eta[i]) ** 2) / (n * sigma**2))),
    "likelihood built from another density": (
        "laplace-identity", "Likelihood", dict(expr=sp.Product(sp.exp(-(y[i] - eta[i]) ** 2), (i, 1, n)))),
    "wrong chain-rule factor dμ/dη": (
        "bernoulli-logit", "Gradient with respect to η", dict(payload=Differentiation(
            wrt=eta[i], chain=((S.sigmoid(eta[i]) - y[i]) / n, sp.Integer(1))))),
    "Poisson NLL with the log(y!) term kept but sign flipped": (
        "poisson-log", "Negate", dict(expr=S.sample_sum(sp.exp(eta[i]) - eta[i] * y[i] - sp.log(sp.factorial(y[i]))))),
    "curvature off by a factor 2": (
        "bernoulli-logit", "Curvature", dict(expr=2 * S.sigmoid(eta[i]) * (1 - S.sigmoid(eta[i])) / n)),
    "concave curvature claimed convex": (
        "gaussian-identity", "Curvature", dict(expr=-2 / n, payload=Differentiation(wrt=eta[i], order=2, convex=True))),
    "Fisher information with y left in": (
        "poisson-log", "Fisher", dict(expr=y[i] / n)),
    "Fisher information with the wrong mean (non-canonical: the curvature has y in it)": (
        "bernoulli-probit", "Fisher", dict(payload=Expectation(mean=S.sigmoid(eta[i])))),
}


@pytest.mark.parametrize("label", list(CORRUPTIONS))
def test_corrupted_step_is_rejected(label):
    name, title, changes = CORRUPTIONS[label]
    check = check_replaced(name, title, **changes)
    assert not check.verified, label


def test_chain_factor_corruption_is_caught_by_link_derivative():
    # dμ/dη claimed as 1 for the logit link: the product happens to be wrong too,
    # but the link-derivative claim alone must fail.
    d = derived("bernoulli-logit")
    index = step_index(d, "Gradient with respect to η")
    mu = d.model.mu_obs()
    good = d.steps[index].payload.chain
    bad = replace(d.steps[index], payload=Differentiation(wrt=eta[i], chain=(good[0] * mu * (1 - mu), sp.Integer(1))))
    assert not check_step(d, bad).verified


def test_numeric_fallback_is_labelled_and_can_fail():
    d = derived("gaussian-identity")
    z = eta[i]
    hard_true = Claim("zero", sp.gamma(z + 1) - z * sp.gamma(z) + sp.sin(z) ** 2 + sp.cos(z) ** 2 - 1, "gamma")
    out = prove(hard_true, d.model)
    assert out.ok
    false_claim = Claim("zero", sp.sin(z) ** 2 - sp.cos(z) ** 2, "false")
    out = prove(false_claim, d.model)
    assert not out.ok and out.method == "numeric"


def test_positivity_claim_rejects_negative():
    d = derived("gaussian-identity")
    assert prove(Claim("positive", 2 * sigma**2 / n, "pos"), d.model).ok
    assert not prove(Claim("positive", -sigma**2 / n, "neg"), d.model).ok


def test_curvature_and_fisher_textbook_values():
    d = derived("bernoulli-logit")
    curv = d.steps[step_index(d, "Curvature")].expr
    s = S.sigmoid(eta[i])
    assert sp.simplify(S.expand_functions(curv - s * (1 - s) / n)) == 0  # σ(1 − σ)/n: no y, positive
    assert "convex in θ" in d.steps[step_index(d, "Curvature")].justification
    g = derived("gaussian-identity")
    assert g.steps[step_index(g, "Curvature")].expr == 2 / n
    fisher = g.steps[step_index(g, "Fisher")].expr
    assert fisher == 2 / n  # canonical: the curvature is already free of y


def test_a_document_echoed_in_a_repl_is_one_short_line():
    from mlederive import derive

    for name in ("bernoulli-logit", "kl-coin", "ridge-regression"):
        text = repr(derive(name))
        assert len(text) < 200 and "\n" not in text and name in text and "verified" in text, text


def test_a_claim_neither_way_decides_in_time_gets_a_longer_proof_and_only_a_proof(monkeypatch):
    """When the symbolic proof and the numeric check both run out of time, a proof gets a second, longer budget: a
    true claim is then proved (symbolic); a false one stays undecided — the second chance can only prove."""
    import sympy as sp

    from mlederive.verification import prover

    calls = []

    def slow_symbolic(expr, budget, model):
        calls.append(budget)
        return (budget >= prover.SECOND_CHANCE and sp.simplify(expr) == 0), ""

    monkeypatch.setattr(prover, "symbolic_zero", slow_symbolic)
    monkeypatch.setattr(prover, "_numeric", lambda claim, model, points, seed: (
        False, "%s: %s" % (claim.label, prover._TOO_SLOW % prover.NUMERIC_BUDGET)))
    x = sp.Symbol("x", real=True)
    true = prover.decide(prover.Claim("zero", sp.sin(x) ** 2 + sp.cos(x) ** 2 - 1, "identity"), None, 0, 1.0)
    assert true.ok and true.method == "symbolic" and calls == [1.0, prover.SECOND_CHANCE]
    false = prover.decide(prover.Claim("zero", sp.sin(x) ** 2 - 1, "not an identity"), None, 0, 1.0)
    assert not false.ok and "undecided" in false.detail
