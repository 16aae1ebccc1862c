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
