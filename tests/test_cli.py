"""The CLI through click's CliRunner: exit codes, one-line errors, the JSON contract."""
import json

import pytest
import sympy as sp
from click.testing import CliRunner
from conftest import ARGUMENTS, BEYOND, BUILTINS, CUSTOM, DISTRIBUTIONAL

from mlederive import __version__
from mlederive import symbolic as S
from mlederive.cli import cli


def run(*args):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_version_and_help():
    assert run("--version").output.strip() == "mlederive, version %s" % __version__
    for flag in ("-h", "--help"):
        out = run(flag)
        assert out.exit_code == 0 and "Example:" in out.output and "list" in out.output
    assert "Example:" in run("list", "-h").output
    assert "Example:" in run("derive", "-h").output


def test_derive_builtin_terminal():
    out = run("gaussian-identity")
    assert out.exit_code == 0
    assert "Step 1" in out.output and "mean squared error (MSE)" in out.output
    assert "13/13 steps verified" in out.output
    assert "Traceback" not in out.output


def test_list_shows_derived_losses():
    out = run("list", "--format", "json")
    rows = json.loads(out.output)
    assert [r["name"] for r in rows] == sorted(BUILTINS + ARGUMENTS + CUSTOM + DISTRIBUTIONAL + BEYOND)
    assert {r["name"]: r["kind"] for r in rows}["kl-coin"] == "kl-coin"
    assert {r["name"]: r["loss"] for r in rows}["laplace-identity"] == "mean absolute error (MAE)"
    text = run("list")
    assert text.exit_code == 0 and "poisson-log" in text.output


@pytest.mark.parametrize("name", BUILTINS)
def test_json_contract(name):
    out = run(name, "--format", "json")
    assert out.exit_code == 0
    doc = json.loads(out.output)
    assert {"recipe", "family", "link", "verified", "steps", "observation"} <= set(doc)
    assert doc["recipe"] == name and doc["verified"] is True
    for step in doc["steps"]:
        assert {"title", "relation", "latex", "expr", "verified", "method"} <= set(step)
        assert step["method"] in ("symbolic", "numeric", "definition")
    obs = doc["observation"]
    # srepr round-trips in a test (never in the product, which never parses text)
    loss = sp.sympify(obs["loss"])
    if isinstance(obs["symbols"]["eta"], list):
        etas = [sp.Symbol(nm, real=True) for nm in obs["symbols"]["eta"]]
        assert len(obs["dloss_deta"]) == len(etas) == 3
        for e, dl in zip(etas, obs["dloss_deta"]):
            assert sp.simplify(sp.diff(loss, e) - sp.sympify(dl)) == 0
    else:
        eta = sp.Symbol(obs["symbols"]["eta"], real=True)
        assert sp.simplify(S.expand_functions(sp.diff(loss, eta) - sp.sympify(obs["dloss_deta"]))) == 0


def test_json_observation_gaussian_symbols():
    doc = json.loads(run("gaussian-identity", "--format", "json").output)
    assert doc["observation"]["symbols"] == {"y": "y", "eta": "eta", "sigma": "sigma"}


def test_unknown_recipe_is_one_line_exit_2():
    out = CliRunner().invoke(cli, ["gausian-identity"])
    assert out.exit_code == 2
    assert out.output.strip() == (
        "Error: unknown recipe 'gausian-identity'. Did you mean 'gaussian-identity'? Run 'mlederive list' (recipes) "
        "or 'mlederive list --links' (every FAMILY-LINK pair).")


@pytest.mark.parametrize("text, fragment", [
    ("name: a\ntitle: b\nfamily: [oops\n", "malformed YAML at line"),
    ("name: a\ntitle: b\nfamily: gaussian\nlink: softmax\n", "field 'link'"),
    ("name: a\ntitle: b\nfamily: gaussian\nlink: identity\ncolour: red\n", "field 'colour': unknown field"),
    ("", "the recipe is empty"),
])
def test_bad_recipe_file_exit_2(tmp_path, text, fragment):
    f = tmp_path / "r.yaml"
    f.write_text(text)
    out = CliRunner().invoke(cli, [str(f)])
    assert out.exit_code == 2
    lines = out.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ") and fragment in lines[0]
    assert "Traceback" not in out.output


def test_missing_file_exit_2():
    out = CliRunner().invoke(cli, ["no/such/file.yaml"])
    assert out.exit_code == 2 and "not found" in out.output


def test_failed_verification_exits_1(monkeypatch):
    from mlederive import verification
    from mlederive.documents import Check

    real_verify = verification.verify

    def sabotaged(d):
        d = real_verify(d)
        d.checks[5] = Check(False, "symbolic", "sabotaged for the test")
        return d

    monkeypatch.setattr(verification, "verify", sabotaged)
    out = CliRunner().invoke(cli, ["poisson-log"])
    assert out.exit_code == 1
    assert "FAILED" in out.output and "verification failed at: Drop the θ-free terms" in out.output


def test_corrupted_pipeline_step_fails_for_real(monkeypatch):
    """A bug in the pipeline (a wrong gradient) is caught by the real verifier → exit 1."""
    from mlederive.derivation import gradient

    real = gradient.gradient_in_eta

    def wrong(*args):
        grad, chain, why = real(*args)
        return -grad, chain, why

    monkeypatch.setattr(gradient, "gradient_in_eta", wrong)
    out = CliRunner().invoke(cli, ["bernoulli-logit", "--format", "json"])
    assert out.exit_code == 1
    doc = json.loads(out.output.split("Error:")[0])
    assert doc["verified"] is False


@pytest.mark.parametrize("columns", ["60", "80", "120"])
def test_list_never_truncates_a_recipe_name(columns):
    from mlederive.recipe import builtin_names

    out = CliRunner().invoke(cli, ["list"], env={"COLUMNS": columns})
    assert out.exit_code == 0
    assert "…" not in "".join(line.split()[0] for line in out.output.splitlines()[2:] if line.strip())
    for name in builtin_names():
        assert any(line.split() and line.split()[0].strip("│┃") in (name, "") and name in line
                   for line in out.output.splitlines()), (columns, name)


# -- input that is not a recipe, and a terminal without Unicode ------------------------------------

@pytest.mark.parametrize("content, message", [
    (None, "is a directory"), ("", "the recipe is empty"), ("name: x\n\tfamily: gaussian\n", "replace the tab with spaces"),
    ("- 1\n- 2\n", "not a list"),
])
def test_what_is_not_a_recipe_gets_a_one_line_error_saying_how_to_fix_it(tmp_path, content, message):
    from click.testing import CliRunner

    from mlederive.cli import cli

    target = tmp_path / "recipe.yaml"
    if content is None:
        target.mkdir()
    else:
        target.write_text(content)
    out = CliRunner().invoke(cli, [str(target)])
    assert out.exit_code == 2 and message in out.output and len(out.output.strip().splitlines()) == 1, out.output


def test_an_ascii_terminal_gets_ascii_not_an_internal_error():
    import os
    import subprocess
    import sys

    env = {**os.environ, "PYTHONIOENCODING": "ascii", "MLEDERIVE_CACHE": "off"}
    done = subprocess.run([sys.executable, "-c", "from mlederive.cli import main; main()", "gaussian-identity"],
                          env=env, capture_output=True)
    assert done.returncode == 0, done.stderr.decode("ascii", "replace")
    text = done.stdout.decode("ascii")  # every byte is ASCII
    assert "sigma" in text and "13/13 steps verified" in text and "internal error" not in text


def test_the_main_help_shows_the_derive_options_and_whole_command_descriptions():
    from click.testing import CliRunner

    from mlederive.cli import cli

    out = CliRunner().invoke(cli, ["--help"], terminal_width=80)
    assert out.exit_code == 0
    for option in ("--format", "-o, --output", "--prior", "--fragment"):
        assert option in out.output
    assert "…" not in out.output and "..." not in out.output
    assert "Options for RECIPE" in out.output and "from data." in out.output
