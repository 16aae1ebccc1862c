"""Users' own densities beyond the GLM world (issue 25): a parameter restricted to (0, 1) or the line, an angle's
support, the check functions, Φ and I₀ in the language — and the integrates-to-1 check that raises no false alarm on
a correct asymmetric Laplace, Huber or von Mises density while it still catches a wrong one."""
import pytest
from click.testing import CliRunner

from mlederive.cli import cli
from mlederive.custom import normalisation_warning
from mlederive.recipe import read_recipe_text

DENSITIES = {
    "asymmetric-laplace": ("tau*(1 - tau)/s * exp(-pinball(tau, (y - mu)/s))", "real",
                           "{tau: \"known in (0, 1)\", s: known}", "tau*(1 - tau)/(2*s) * exp(-pinball(tau, (y - mu)/s))"),
    "huber": ("exp(-huber(delta, y - mu)) / (sqrt(2*pi)*(2*Phi(delta) - 1) + 2*exp(-delta**2/2)/delta)", "real",
              "{delta: known}", "exp(-huber(delta, y - mu)) / (sqrt(2*pi)*(2*Phi(delta) - 1))"),
    "von-mises": ("exp(kappa*cos(y - mu))/(2*pi*I0(kappa))", "angle", "{kappa: known}",
                  "exp(kappa*cos(y - mu))/(pi*I0(kappa))"),
    "tobit": ("Phi((c - mu)/s)**indicator(y, c) * (exp(-(y - mu)**2/(2*s**2))/(s*sqrt(2*pi)))**(1 - indicator(y, c))",
              "real", "{s: known, c: \"known real\"}", None),
}


def recipe(density, support, parameters, extra=""):
    return read_recipe_text(
        "name: mine\ntitle: Mine\nlink: identity\nreduction: mean\n%sfamily:\n  name: mine\n  title: Mine\n"
        "  density: \"%s\"\n  support: %s\n  mean_domain: real\n  parameters: %s\n"
        % (extra, density.replace('"', '\\"'), support, parameters), "<test>")


@pytest.mark.parametrize("name", DENSITIES)
def test_a_correct_density_raises_no_alarm_and_a_wrong_one_does(name):
    density, support, parameters, wrong = DENSITIES[name]
    assert normalisation_warning(recipe(density, support, parameters).custom_family) is None
    if wrong is not None:
        message = str(normalisation_warning(recipe(wrong, support, parameters).custom_family))
        assert "does not integrate to 1" in message


@pytest.mark.parametrize("name", DENSITIES)
def test_each_derives_with_every_step_verified(name, tmp_path):
    from mlederive.derivation import derive

    density, support, parameters, _ = DENSITIES[name]
    path = tmp_path / "mine.yaml"
    path.write_text("name: mine\ntitle: Mine\nlink: identity\nreduction: mean\nfamily:\n  name: mine\n  title: Mine\n"
                    "  density: '%s'\n  support: %s\n  mean_domain: real\n  parameters: %s\n"
                    % (density, support, parameters))
    d = derive(str(path))
    assert d.verified and not d.warnings


def test_a_value_outside_the_declared_interval_is_refused(tmp_path):
    density, support, parameters, _ = DENSITIES["asymmetric-laplace"]
    path = tmp_path / "mine.yaml"
    path.write_text("name: mine\ntitle: Mine\nlink: identity\nreduction: mean\nparameters: {tau: 1.5, s: known}\n"
                    "family:\n  name: mine\n  title: Mine\n  density: '%s'\n  support: %s\n  mean_domain: real\n"
                    "  parameters: %s\n" % (density, support, parameters))
    out = CliRunner().invoke(cli, [str(path)])
    assert out.exit_code == 2 and "a number in (0, 1), got 1.5" in out.output, out.output


def test_an_unknown_parameter_kind_is_a_one_line_error(tmp_path):
    path = tmp_path / "mine.yaml"
    path.write_text("name: mine\ntitle: Mine\nlink: identity\nfamily:\n  name: mine\n  density: 'exp(-(y - mu)**2)'\n"
                    "  parameters: {s: learned}\n")
    out = CliRunner().invoke(cli, [str(path)])
    assert out.exit_code == 2 and "'known in (0, 1)'" in out.output and len(out.output.strip().splitlines()) == 1


# -- a declared normaliser: a density with no closed form, written as the user knows it --------------------------

TWEEDIE = """name: hand-tweedie
title: Tweedie written by hand
link: log
parameters: {phi: known, p: 1.5}
family:
  name: hand-tweedie
  density: "a(y, phi) * exp((y*mu**(1 - p)/(1 - p) - mu**(2 - p)/(2 - p))/phi)"
  support: positive
  mean_domain: positive
  parameters: {phi: known, p: known}
  normaliser: %s
"""
DECLARED = "{name: a, of: [y, phi], why: 'the compound Poisson-gamma series, with no mu in it'}"


def test_a_declared_normaliser_is_dropped_as_theta_free_and_says_why(tmp_path):
    """The hand-written Tweedie derives the built-in's loss, every step verified; the drop step names a(y_i, φ) and
    the recipe's reason, and the warning says the integrates-to-1 check was not made (it cannot be)."""
    import sympy as sp

    from mlederive.derivation import derive
    from mlederive.render.common import plain_text

    path = tmp_path / "tw.yaml"
    path.write_text(TWEEDIE % DECLARED)
    d = derive(str(path))
    assert d.verified and d.loss_name.startswith("Tweedie negative log-likelihood")
    why = plain_text(d.step("drop-constants").justification)
    assert "declares a(yᵢ, φ) without writing it out" in why and "Poisson-gamma series" in why
    assert "not checked" in plain_text(d.warnings[0])
    builtin = derive("tweedie-log")
    ours, theirs = (e.subs({s: sp.Rational(3, 2) for s in e.free_symbols if s.name == "p"})
                    for e in (d.step("loss").expr, builtin.step("loss").expr))
    assert sp.simplify(ours - theirs) == 0


def test_the_sampler_gives_a_declared_normaliser_a_value_so_a_claim_that_needs_it_is_refused(tmp_path):
    """A numeric check cannot skip a(y_i, φ): each call gets a positive value, so log a(y_i, φ) = 0 is refused."""
    import sympy as sp

    from mlederive.derivation import derive
    from mlederive.verification.prover import Claim, prove

    path = tmp_path / "tw.yaml"
    path.write_text(TWEEDIE % DECLARED)
    d = derive(str(path))
    a = next(f for f in d.step("expanded").expr.atoms(sp.Function) if getattr(type(f), "opaque", False))
    assert not prove(Claim("zero", sp.log(a), "log a = 0"), d.model, seed=0, budget=2.0).ok
    assert prove(Claim("zero", sp.log(a) - sp.log(a), "log a − log a = 0"), d.model, seed=0, budget=2.0).ok


@pytest.mark.parametrize("normaliser, message", [
    ("{name: a, of: [y, mu]}", "free of the mean mu"),
    ("{name: a, of: [y, phi, k]}", "must list its arguments from"),
    ("{name: exp, of: [y, phi]}", "must be a new short name"),
    ("{name: a, of: [y]}", "a takes 1 argument, got 2"),
    ("{name: a, of: [y, phi], extra: 1}", "must be a mapping with name, of"),
])
def test_a_bad_declared_normaliser_is_a_one_line_error(tmp_path, normaliser, message):
    path = tmp_path / "tw.yaml"
    path.write_text(TWEEDIE % normaliser)
    out = CliRunner().invoke(cli, [str(path)])
    assert out.exit_code == 2 and message in out.output and len(out.output.strip().splitlines()) == 1, out.output


def test_the_generated_module_of_a_declared_normaliser_computes_no_nll_and_equals_the_builtins_loss(tmp_path):
    import numpy as np
    from codegen_helpers import load, module_for

    from mlederive.codegen import generate

    path = tmp_path / "tw.yaml"
    path.write_text(TWEEDIE % DECLARED)
    m = load(generate(str(path), "numpy").code, "hand_tweedie")
    assert not hasattr(m, "nll")
    builtin = module_for("tweedie-log", "numpy")
    eta, y = np.array([-0.5, 0.2, 1.3]), np.array([0.3, 1.7, 4.2])  # support "positive": no zeros
    np.testing.assert_allclose(m.loss(eta, y, p=1.5), builtin.loss(eta, y, p=1.5), rtol=1e-12)
    np.testing.assert_allclose(m.grad(eta, y, p=1.5), builtin.grad(eta, y, p=1.5), rtol=1e-12)


def test_the_readme_lists_every_function_of_the_expression_language():
    from pathlib import Path

    from mlederive.expressions import FUNCTIONS

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    paragraph = readme.split("Expressions are parsed by `mlederive/expressions.py`")[1].split("\n\n")[0]
    assert [f for f in FUNCTIONS if f not in paragraph] == []
