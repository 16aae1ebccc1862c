"""The JSON contract as a program reads it: every output validates against the schema shipped
with the package, and the schema is strict enough to reject what it does not describe."""
import json
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner
from conftest import BEYOND, derived

from mlederive.cli import cli
from mlederive.documents import Method
from mlederive.mle import PROBLEMS
from mlederive.render.json import render_json, schema, to_dict

GOLDEN = sorted((Path(__file__).parent / "golden").glob("*.json"))


def validator(name="derivation"):
    s = schema(name)
    jsonschema.Draft202012Validator.check_schema(s)
    return jsonschema.Draft202012Validator(s)


@pytest.mark.parametrize("path", GOLDEN, ids=[p.stem for p in GOLDEN])
def test_every_pinned_output_validates(path):
    validator().validate(json.loads(path.read_text()))


@pytest.mark.parametrize("name", ["gaussian-identity-learned-sigma", "ridge-regression", "categorical-softmax"])
def test_fresh_outputs_validate(name):
    validator().validate(json.loads(render_json(derived(name))))


@pytest.mark.parametrize("name", BEYOND)
def test_the_laws_beyond_the_glm_table_validate_with_their_parameters_by_role(name):
    """quantile-regression's tau and sigma, huber-regression's delta, tweedie-log's p and phi, …: one entry each in
    observation.symbols; the Tweedie's log-likelihood names its normaliser."""
    d = derived(name)
    out = json.loads(render_json(d))
    validator().validate(out)
    assert set(out["observation"]["symbols"]) == {"y", "eta"} | set(d.model.params)
    if name == "tweedie-log":
        assert "TweedieNormaliser" in out["observation"]["log_likelihood"]


def test_schema_rejects_an_undocumented_key_and_a_wrong_type():
    data = to_dict(derived("gaussian-identity"))
    v = validator()
    v.validate(json.loads(json.dumps(data)))
    with pytest.raises(jsonschema.ValidationError):
        v.validate({**data, "undocumented": 1})
    steps = [dict(data["steps"][0], verified="yes")] + data["steps"][1:]
    with pytest.raises(jsonschema.ValidationError):
        v.validate({**data, "steps": steps})
    obs = {k: v_ for k, v_ in data["observation"].items() if k != "fisher"}
    with pytest.raises(jsonschema.ValidationError):
        v.validate({**data, "observation": obs})


def test_schema_methods_are_the_check_methods():
    method = schema()["$defs"]["step"]["properties"]["method"]["enum"]
    assert set(method) == {m.value for m in Method}


@pytest.mark.parametrize("family", sorted(PROBLEMS))
def test_mle_json_validates_and_agrees_with_the_terminal(family):
    data = {"bernoulli": "1,0,1,1", "gaussian": "1,2,4"}.get(family, "2,1,3,1")
    out = CliRunner().invoke(cli, ["mle", family, "--data", data, "--format", "json"])
    assert out.exit_code == 0, out.output
    result = json.loads(out.output)
    validator("mle").validate(result)
    assert result["verified"] is True and result["family"] == family
    terminal = CliRunner().invoke(cli, ["mle", family, "--data", data]).output
    for est in result["estimates"]:
        # the terminal prints 6 significant digits (or the short decimal); JSON keeps the exact value and its float
        assert ("%.6g" % est["float"]) in terminal
