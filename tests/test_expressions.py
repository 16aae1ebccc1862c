"""The safe expression parser: what it accepts, and hostile input refused with the field named."""
import os

import pytest
import sympy as sp
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from mlederive.cli import cli
from mlederive.errors import RecipeError
from mlederive.expressions import MAX_CHARS, parse_expression
from mlederive.symbolic import sigmoid

y, mu = sp.Symbol("y", real=True), sp.Symbol("mu", real=True)
NAMES = {"y": y, "mu": mu}


def parse(text):
    return parse_expression(text, NAMES, "r.yaml", "family.density")


def test_accepts_arithmetic_functions_and_constants():
    assert parse("exp(-(y - mu)**2/2)/sqrt(2*pi)") == sp.exp(-(y - mu) ** 2 / 2) / sp.sqrt(2 * sp.pi)
    assert parse("sigmoid(mu)**y * (1 - sigmoid(mu))**(1 - y)") == sigmoid(mu) ** y * (1 - sigmoid(mu)) ** (1 - y)
    assert parse("binomial(5, y) * 0.5**5") == sp.binomial(5, y) * sp.Rational(1, 2) ** 5
    assert parse("abs(y - mu) + lgamma(mu) + E") == sp.Abs(y - mu) + sp.loggamma(mu) + sp.E
    assert parse("y**(1/2)") == sp.sqrt(y)


HOSTILE = [
    ("__import__('os').system('touch /tmp/mlederive-pwned')", "only a function called by its name can be called"),
    ("mu.__class__.__mro__", "Attribute is not allowed"),
    ("(lambda: 1)()", "only a function called by its name can be called"),
    ("[y for y in (1, 2)]", "ListComp is not allowed"),
    ("{y: 1}", "Dict is not allowed"),
    ("y if mu else 1", "IfExp is not allowed"),
    ("y < mu", "Compare is not allowed"),
    ("9**9**9**9", "constant exponent must be a plain number"),
    ("2**1000", "constant exponent must be a plain number"),
    ("10**65 * y", "constant exponent must be a plain number"),
    ("99999999 * y", "too large"),
    ("'a' * 3", "only numbers are allowed"),
    ("exp(y, base=2)", "keyword arguments are not allowed"),
    ("exp(y, mu)", "exp takes 1 argument"),
    ("eval('1')", "function eval is not allowed"),
    ("open('/etc/passwd')", "function open is not allowed"),
    ("x + y", "unknown name 'x'"),
    ("y +", "not a valid expression"),
    ("-" * 30 + "y", "nested too deeply"),
    ("+".join(["y"] * 150), "nested too deeply"),
    ("*".join(["(y+y+y+y)"] * 22), "too large"),
    ("y" * (MAX_CHARS + 1), "longer than"),
    ("y+" * 500_000 + "mu", "longer than"),  # a megabyte: refused by length before parsing
]


@pytest.mark.parametrize("text, message", HOSTILE)
def test_hostile_expressions_refused(text, message):
    with pytest.raises(RecipeError) as err:
        parse(text)
    assert message in str(err.value) and "field 'family.density'" in str(err.value)
    assert not os.path.exists("/tmp/mlederive-pwned")


def test_hostile_recipe_via_cli_has_no_effect(tmp_path):
    marker = tmp_path / "pwned"
    recipe = tmp_path / "evil.yaml"
    recipe.write_text("name: evil\ntitle: t\nfamily:\n  name: e\n  density: \"__import__('os').system('touch %s')\"\n"
                      "link: identity\n" % marker)
    out = CliRunner().invoke(cli, [str(recipe)], catch_exceptions=False)
    assert out.exit_code == 2 and len(out.output.strip().splitlines()) == 1
    assert "field 'family.density'" in out.output and not marker.exists()


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60))
def test_any_text_parses_or_fails_cleanly(text):
    try:
        result = parse(text)
    except RecipeError as exc:
        assert "field 'family.density'" in str(exc) and "\n" not in str(exc).strip()
    else:
        assert isinstance(result, sp.Basic)
