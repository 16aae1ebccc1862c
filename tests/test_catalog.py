"""The family × link catalog: the matrix pinned, every allowed pair verified (densities: test_families.py)."""
import json
import random

import pytest
import sympy as sp
from click.testing import CliRunner

from mlederive import symbolic as S
from mlederive.catalog import link_matrix
from mlederive.cli import cli
from mlederive.derivation import derive
from mlederive.families import FAMILIES
from mlederive.links import LINKS
from mlederive.recipe import pair_recipe
from mlederive.render.matrix import SYMBOLS

LINK_ORDER = ["identity", "log", "logit", "probit", "cloglog", "loglog", "cauchit", "inverse", "inverse-squared",
              "sqrt", "softplus", "softmax"]

# C canonical, ✓ valid, ~ constrained (derived with a warning), · refused — worked out from ranges
PINNED = {
    "gaussian": "C✓✓✓✓✓✓~~~✓·",
    "bernoulli": "~~C✓✓✓✓~~~~·",
    "binomial": "~~C✓✓✓✓~~~~·",
    "categorical": "···········C",
    "poisson": "~C✓✓✓✓✓~~~✓·",
    "exponential": "~✓✓✓✓✓✓C~~✓·",
    "gamma": "~✓✓✓✓✓✓C~~✓·",
    "inverse-gaussian": "~✓✓✓✓✓✓~C~✓·",
    "negative-binomial": "~✓✓✓✓✓✓~~~✓·",
    "beta": "~~✓✓✓✓✓~~~~·",
    "laplace": "✓✓✓✓✓✓✓~~~✓·",  # not an exponential family: no canonical link
    "student-t": "✓✓✓✓✓✓✓~~~✓·",
    "log-normal": "✓✓✓✓✓✓✓~~~✓·",
    "geometric": "~✓✓✓✓✓✓~~~✓·",
    "weibull": "~✓✓✓✓✓✓~~~✓·",
    "zero-inflated-poisson": "~✓✓✓✓✓✓~~~✓·",  # the Poisson's links; none canonical for the mixture
    "cauchy": "✓✓✓✓✓✓✓~~~✓·",  # a location on the line, as the Student t's
    "von-mises": "✓✓✓✓✓✓✓~~~✓·",  # a mean direction: any real number (the density is 2π-periodic in it)
    "asymmetric-laplace": "✓✓✓✓✓✓✓~~~✓·",  # a quantile on the line
    "huber": "✓✓✓✓✓✓✓~~~✓·",  # a location on the line
    "tweedie": "~✓✓✓✓✓✓~~~✓·",  # a positive mean; its canonical power link μ^(1−p) is not in the registry
    "tobit": "✓✓✓✓✓✓✓~~~✓·",  # a latent mean on the line
}

PAIRS = [(f, l) for f, fam in FAMILIES.items() for l in fam.allowed_links()]


def test_matrix_is_pinned():
    assert list(LINKS) == LINK_ORDER and len(FAMILIES) == 22 and len(LINKS) == 12
    m = link_matrix()
    assert {f: "".join(SYMBOLS[row[l]["status"]] for l in LINK_ORDER) for f, row in m.items()} == PINNED
    assert m["poisson"]["identity"]["constraint"] == "η > 0"
    assert m["bernoulli"]["log"]["constraint"] == "η < 0"
    assert m["bernoulli"]["identity"]["constraint"] == "0 < η < 1"


def test_list_links_cli():
    out = CliRunner().invoke(cli, ["list", "--links", "--format", "json"])
    assert json.loads(out.output)["gamma"]["inverse"]["status"] == "canonical"
    text = CliRunner().invoke(cli, ["list", "--links"]).output
    assert "negative-binomial" in text and "poisson-identity: η > 0" in text


def test_refusal_names_the_valid_links():
    out = CliRunner().invoke(cli, ["poisson-softmax"])
    assert out.exit_code == 2
    assert ("softmax is a link for one-hot outcomes (the categorical family) only; for poisson use log (canonical)"
            in out.output)


@pytest.mark.parametrize("family, link", PAIRS, ids=["%s-%s" % p for p in PAIRS])
def test_every_allowed_pair_verifies(family, link):
    d = derive(pair_recipe("%s-%s" % (family, link)))
    failed = [(s.title, c.detail) for s, c in zip(d.steps, d.checks) if not c.verified]
    assert not failed
    unevaluated = [(s.id, e) for s in d.steps for e in s.expr.atoms(sp.Derivative, sp.Subs, sp.Integral)]
    assert not unevaluated, "a step shows an operation nothing evaluated"
    status = FAMILIES[family].pairing(LINKS[link]).status
    assert any("valid only where" in w for w in d.warnings) == (status == "constrained")
    # independent of the verifier: the claimed ∂loss/∂η against a central difference, at valid points
    if d.model.one_hot:
        return
    rng = random.Random("%s-%s" % (family, link))  # str seeds are stable across processes (hash() is not)
    fam, lk = d.model.family, d.model.link
    values = {p: sp.Float(rng.uniform(0.8, 2.0)) for p in d.model.params.values()}
    eta = S.eta[S.i]
    loss = S.expand_functions(d.loss_summand).xreplace(values)
    grad = S.expand_functions(d.grad_eta_obs * S.n).subs(S.n, 1).xreplace(values)
    for _ in range(3):
        for _ in range(200):
            m = fam.sample_mean(rng)
            if lk.mean_domain.contains(m) is sp.true and fam.mean_domain.contains(m) is sp.true:
                break
        else:
            m = rng.uniform(0.05, 0.95)  # every mean domain here contains (0, 1)
        e0 = float(sp.N(lk(sp.Float(m))))
        yv = fam.sample_y(rng)
        at = {S.y[S.i]: sp.Float(yv) if not fam.discrete else sp.Integer(int(yv))}
        f = sp.lambdify(eta, loss.xreplace(at), "mpmath")
        h = 1e-6
        fd = (f(e0 + h) - f(e0 - h)) / (2 * h)
        claimed = complex(sp.N(grad.xreplace(at).subs(eta, e0)))
        assert claimed.real == pytest.approx(float(fd), rel=1e-4, abs=1e-6)


def _loglik(family, link="identity", **values):
    d = derive(pair_recipe("%s-%s" % (family, link)), verify_steps=False)
    params = {sym: values[name] for name, sym in d.model.params.items()}
    return lambda y, mu: float(sp.N(d.loglik_summand.xreplace(params).subs({S.y[S.i]: y, S.eta[S.i]: mu})))


def test_canonical_inverse_link_gradient_has_the_sign_factor():
    d = derive("gamma-inverse")
    assert d.verified
    assert "constant factor -1" in d.steps[8].justification


def test_laplace_identity_is_valid_not_canonical():
    """The Laplace family is not an exponential family: identity is its natural link, not a canonical one."""
    m = link_matrix()
    assert m["laplace"]["identity"]["status"] == "valid"
    out = CliRunner().invoke(cli, ["laplace-identity", "--format", "json"])
    assert json.loads(out.output)["pairing"] == "valid"


@pytest.mark.parametrize("link", [l for l in LINKS if FAMILIES["laplace"].pairing(LINKS[l]).status != "refused"])
def test_laplace_curvature_keeps_its_kink_for_every_link(link):
    """|y − μ(η)| has a kink at μ = y: its second derivative is 2δ(μ − y)·μ′² + sign(μ − y)·μ″, the same
    treatment for every link (once, four links showed a Piecewise that is 0 at the kink instead)."""
    d = derive(pair_recipe("laplace-%s" % link), verify_steps=False)
    curvature = d.step("curvature").expr
    assert not curvature.has(sp.Piecewise)
    deltas = curvature.atoms(sp.DiracDelta)
    assert len(deltas) == 1
    mean = d.model.mean()
    (arg,) = next(iter(deltas)).args
    assert sp.simplify(arg.subs(S.y[S.i], mean)) == 0, "the Dirac delta sits at μ_i = y_i"


def test_listings_are_typeset_text():
    from click.testing import CliRunner

    from mlederive.cli import cli

    listing = CliRunner().invoke(cli, ["list"]).output
    assert "λ = 2σ²/b" in listing and "λ = σ²/τ²" in listing and "**" not in listing and "sigma*" not in listing
    links = CliRunner().invoke(cli, ["list", "--links"]).output
    assert "η < log(e − 1) ≈ 0.5413" in links and "E)" not in links
