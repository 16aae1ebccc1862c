"""Fuzzed recipe files: every outcome is a result (0/1) or a one-line error (2) — never a traceback or a hang."""
import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mlederive.cli import cli

BASE = {"name": "fuzz", "title": "Fuzzed", "family": "gaussian", "link": "identity",
        "parameters": {"sigma": "known"}, "predictor": "linear", "reduction": "mean"}

garbage = st.one_of(st.none(), st.booleans(), st.integers(-10**6, 10**6), st.floats(allow_nan=True),
                    st.text(max_size=30), st.lists(st.integers(), max_size=3),
                    st.dictionaries(st.text(max_size=5), st.integers(), max_size=3),
                    st.sampled_from(["poisson", "logit", "softmax", "__import__('os')", "9**9**9", "sum",
                                     "categorical", "learned", "kl-coin", "{density: y}"]))


@st.composite
def mutated(draw):
    recipe = dict(BASE)
    for _ in range(draw(st.integers(1, 3))):
        action = draw(st.sampled_from(["delete", "replace", "add"]))
        key = draw(st.sampled_from(sorted(recipe) + ["kind", "classes", "family.density"]))
        if action == "delete":
            recipe.pop(key, None)
        elif action == "replace":
            recipe[key] = draw(garbage)
        else:
            recipe[draw(st.text(min_size=1, max_size=8))] = draw(garbage)
    return yaml.safe_dump(recipe, allow_unicode=True)


raw_text = st.text(max_size=200)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.one_of(mutated(), raw_text))
def test_fuzzed_recipes(tmp_path_factory, text):
    path = tmp_path_factory.mktemp("fuzz") / "r.yaml"
    path.write_text(text, encoding="utf-8")
    out = CliRunner().invoke(cli, [str(path)])
    assert out.exception is None or isinstance(out.exception, SystemExit), repr(out.exception)
    assert out.exit_code in (0, 1, 2)
    assert "Traceback" not in out.output
    if out.exit_code == 2:
        lines = out.output.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("Error: "), lines


FUNCTIONS = ["exp", "log", "sqrt", "abs", "gamma", "lgamma", "erf", "sigmoid", "tanh", "atan", "sin", "cos"]


@pytest.mark.parametrize("target", ["numpy", "jax", "pytorch", "xgboost", "lightgbm"])
@pytest.mark.parametrize("function, link", [(f, ("log", "identity", "softplus")[n % 3]) for n, f in enumerate(FUNCTIONS)])
def test_codegen_of_custom_densities(tmp_path_factory, function, target, link):
    """A location family centred on f(μ), every f the safe parser takes, every target: code that compiles (exit 0),
    a failed step (1) or a one-line error (2) — never an internal error or a traceback."""
    path = tmp_path_factory.mktemp("fuzz") / "r.yaml"
    path.write_text(yaml.safe_dump({
        "name": "fuzz-%s" % function, "title": "Centred on %s of the mean" % function, "link": link,
        "family": {"name": "loc", "density": "exp(-(y - %s(mu))**2/2)/sqrt(2*pi)" % function, "support": "real",
                   "mean_domain": "positive", "parameters": {}}}), encoding="utf-8")
    out = CliRunner().invoke(cli, ["codegen", str(path), "--target", target])
    assert out.exception is None or isinstance(out.exception, SystemExit), repr(out.exception)
    assert out.exit_code in (0, 1, 2) and "internal error" not in out.output and "Traceback" not in out.output
    if out.exit_code == 0:  # the module runs: every library function it names exists and takes arrays
        import numpy as np

        namespace = {}
        exec(compile(out.stdout, "generated.py", "exec"), namespace)
        if target == "pytorch":
            import torch

            namespace["loss"](torch.tensor([0.3, 1.2]), torch.tensor([0.5, -1.0]))
        else:
            for name in ("loss", "grad", "hess"):
                np.asarray(namespace[name](np.array([0.3, 1.2]), np.array([0.5, -1.0])))
    if out.exit_code == 2:
        assert len(out.stderr.strip().splitlines()) == 1, out.stderr
