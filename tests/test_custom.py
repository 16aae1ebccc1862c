"""User-defined families and links: the shipped examples, normalisation flags, and bad specs."""
import math

import pytest
import sympy as sp
from click.testing import CliRunner
from scipy import stats

from mlederive import symbolic as S
from mlederive.cli import cli
from mlederive.derivation import derive
from mlederive.recipe import parse_recipe


def recipe(family, link="identity", **extra):
    return parse_recipe({"name": "c", "title": "c", "family": family, "link": link, **extra}, "c.yaml")


def test_rayleigh_example_verifies_and_matches_scipy():
    d = derive("rayleigh-log")
    assert d.verified and not d.warnings
    ll = d.loglik_summand  # log p(y_i | η_i), every constant kept
    for yv, ev in [(0.7, 0.1), (2.3, -0.4), (1.1, 0.9)]:
        mu = math.exp(ev)
        ours = float(ll.subs({S.y[S.i]: yv, S.eta[S.i]: ev}))
        assert ours == pytest.approx(stats.rayleigh.logpdf(yv, scale=mu * math.sqrt(2 / math.pi)), rel=1e-10)


def test_smooth_relu_link_example_verifies():
    d = derive("poisson-smooth-relu")
    assert d.verified
    link = d.model.link
    eta = sp.Symbol("eta", real=True)
    assert sp.simplify(link(link.inverse(eta)) - eta) == 0


def test_unnormalised_density_is_flagged():
    d = derive(recipe({"name": "half", "density": "exp(-(y - mu)**2/2)"}))
    assert any("does not integrate to 1" in w and "2.50663" in w for w in d.warnings)  # √(2π)
    ok = derive(recipe({"name": "normal", "density": "exp(-(y - mu)**2/2)/sqrt(2*pi)"}))
    assert not ok.warnings and ok.verified


def test_discrete_custom_family_sums_to_one():
    geometric = {"name": "geo", "density": "(mu/(1 + mu))**y/(1 + mu)", "support": "counts",
                 "mean_domain": "positive"}
    d = derive(recipe(geometric, "log"))
    assert d.verified and not d.warnings


@pytest.mark.parametrize("family, link, message", [
    ({"name": "x"}, "identity", "field 'family.density': missing"),
    ({"name": "x", "density": "exp(-y**2)"}, "identity", "must depend on the mean mu"),
    ({"name": "x", "density": "mu", "support": "weird"}, "identity", "field 'family.support': must be one of"),
    ({"name": "x", "density": "mu", "colour": 1}, "identity", "field 'family.colour': unknown field"),
    ({"name": "X Y", "density": "mu"}, "identity", "field 'family.name'"),
    ("gaussian", {"name": "bad", "g": "log(mu)", "inverse": "exp(2*eta)", "range": "positive"},
     "field 'link.inverse': g(inverse(η)) ≠ η"),
    ("gaussian", {"name": "bad", "g": "mu"}, "field 'link.inverse': missing"),
    ("gaussian", {"name": "bad", "g": "mu.real", "inverse": "eta"}, "field 'link.g'"),
])
def test_bad_custom_specs(tmp_path, family, link, message):
    import yaml

    path = tmp_path / "c.yaml"
    path.write_text(yaml.safe_dump({"name": "c", "title": "c", "family": family, "link": link}))
    out = CliRunner().invoke(cli, [str(path)], catch_exceptions=False)
    assert out.exit_code == 2
    lines = out.output.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], lines


def test_a_divergent_density_is_said_to_diverge():
    from mlederive.recipe import parse_recipe

    for density in ("exp(y**2)/mu", "1/(mu*(1 + y))"):
        recipe = parse_recipe({"name": "div", "title": "t", "link": "log", "family": {
            "name": "divergent", "density": density, "support": "positive", "mean_domain": "positive",
            "parameters": {}}}, "div.yaml")
        warning = " ".join(str(w) for w in derive(recipe, verify_steps=False).warnings)
        assert "diverges" in warning and "e+" not in warning, warning
