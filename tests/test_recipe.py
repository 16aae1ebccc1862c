"""Recipe validation: every mistake gives one line naming the file and the field."""
import pytest
from conftest import ARGUMENTS, BEYOND, BUILTINS, CUSTOM, DISTRIBUTIONAL

from mlederive.errors import MlederiveError, RecipeError
from mlederive.recipe import builtin_names, load_recipe, parse_recipe, read_recipe_text

BASE = {"name": "r", "title": "T", "family": "gaussian", "link": "identity"}


def test_builtins_are_all_listed():
    assert builtin_names() == sorted(BUILTINS + ARGUMENTS + CUSTOM + DISTRIBUTIONAL + BEYOND)


def test_defaults():
    r = parse_recipe(dict(BASE))
    assert (r.predictor, r.reduction, r.parameters) == ("linear", "mean", {"sigma": "known"})


@pytest.mark.parametrize("change, field, fragment", [
    ({"familly": "gaussian"}, "familly", "Did you mean 'family'?"),
    ({"family": "gausian"}, "family", "Did you mean 'gaussian'?"),
    ({"link": "logti", "family": "bernoulli"}, "link", "Did you mean 'logit'?"),
    ({"link": "softmax"}, "link", "for gaussian use identity (canonical)"),
    ({"family": "categorical", "link": "logit"}, "link", "use softmax (canonical)"),
    ({"title": 3}, "title", "must be a string"),
    ({"classes": True, "family": "categorical", "link": "softmax"}, "classes", "whole number"),
    ({"classes": 50, "family": "categorical", "link": "softmax"}, "classes", "between 2 and 8"),
    ({"classes": 3}, "classes", "only the categorical family"),
    ({"parameters": {"sigmaa": "known"}}, "parameters.sigmaa", "Did you mean 'sigma'?"),
    ({"parameters": {"sigma": "fixed"}}, "parameters.sigma", "known, learned or a number"),
    ({"parameters": {"sigma": -2}}, "parameters.sigma", "a known value must be a number in (0, ∞), got -2"),
    ({"family": "zero-inflated-poisson", "link": "log", "parameters": {"pi": 1.5}}, "parameters.pi",
     "a known value must be a number in (0, 1), got 1.5"),
    ({"family": "asymmetric-laplace", "parameters": {"tau": 1.0}}, "parameters.tau",
     "a known value must be a number in (0, 1), got 1.0"),
    ({"reduction": "avg"}, "reduction", "Allowed: mean, sum"),
    ({"predictor": "mlp"}, "predictor", "Allowed: linear, generic"),
    ({"name": "Bad Name"}, "name", "lowercase words"),
])
def test_invalid_field(change, field, fragment):
    data = {**BASE, **change}
    with pytest.raises(RecipeError) as info:
        parse_recipe(data, "my.yaml")
    msg = str(info.value)
    assert info.value.field == field
    assert msg.startswith("my.yaml: field '%s': " % field)
    assert fragment in msg and "\n" not in msg


def test_missing_field():
    with pytest.raises(RecipeError, match="field 'link': missing"):
        parse_recipe({k: v for k, v in BASE.items() if k != "link"}, "my.yaml")


def test_malformed_yaml_names_the_line():
    with pytest.raises(RecipeError, match=r"malformed YAML at line 4.*started at line 3"):
        read_recipe_text("name: a\ntitle: b\nfamily: [gaussian\n", "x.yaml")


def test_yaml_is_never_executed(tmp_path):
    f = tmp_path / "evil.yaml"
    f.write_text("!!python/object/apply:os.system ['touch %s']\n" % (tmp_path / "pwned"))
    with pytest.raises(RecipeError):
        load_recipe(str(f))
    assert not (tmp_path / "pwned").exists()


def test_top_level_must_be_a_mapping(tmp_path):
    f = tmp_path / "list.yaml"
    f.write_text("- a\n- b\n")
    with pytest.raises(RecipeError, match="must be a mapping"):
        load_recipe(str(f))


def test_unknown_name_and_missing_file():
    with pytest.raises(MlederiveError, match="Did you mean 'gaussian-identity'"):
        load_recipe("gausian-identity")
    with pytest.raises(MlederiveError, match="not found"):
        load_recipe("nowhere/recipe.yaml")


def test_a_description_is_typeset_with_its_math_between_dollars():
    from mlederive import derive
    from mlederive.render.latex import render_latex

    tex = render_latex(derive("ridge-regression", verify_steps=False))
    assert r"a prior $\theta_{j} \sim \mathcal{N}(0, \tau^{2})$ on every weight" in tex
    assert r"\textasciitilde" not in tex.split(r"\noindent\textbf{Setting.}")[0]


def test_an_unclosed_dollar_in_a_description_is_a_one_line_error():
    from mlederive.errors import RecipeError
    from mlederive.recipe import parse_recipe

    with pytest.raises(RecipeError, match=r"description.*\$ is left open"):
        parse_recipe({"name": "d", "title": "t", "family": "gaussian", "link": "identity",
                      "description": "costs $5 a month"}, "d.yaml")
