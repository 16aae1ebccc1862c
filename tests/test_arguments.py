"""The articles' other arguments: exact results, numbers checked independently, and rejected corruptions."""
import dataclasses
import json
import math

import numpy as np
import pytest
import sympy as sp
from click.testing import CliRunner
from conftest import ARGUMENTS, compile_tex

from mlederive import symbolic as S
from mlederive.arguments import build
from mlederive.arguments import sigmoid as sig
from mlederive.arguments.underflow import first_zero
from mlederive.cli import cli
from mlederive.derivation import derive
from mlederive.recipe import parse_recipe
from mlederive.relations import Evaluation
from mlederive.render.latex import render_latex
from mlederive.render.markdown import render_markdown
from mlederive.verification import check_step, verify, verify_step


def run(*args):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


@pytest.fixture(scope="module")
def docs():
    return {name: derive(name) for name in ARGUMENTS}


def step(doc, title):
    return next(s for s in doc.steps if str(s.title) == title)


def same(a, b):
    return sp.simplify(S.expand_functions(a - b)) == 0


@pytest.mark.parametrize("name", ARGUMENTS)
def test_every_step_verified(docs, name):
    doc = docs[name]
    assert doc.verified and len(doc.checks) == len(doc.steps)


def test_sigmoid_gradients_exact(docs):
    d = docs["sigmoid-mse-vs-bce"]
    y, yhat, x, z, th = sig.y, sig.yhat, sig.x, sig.z, sig.theta
    # independently: differentiate the losses of σ(θx) ourselves and rewrite with ŷ
    s = 1 / (1 + sp.exp(-th * x))
    mse = sp.Rational(1, 2) * (y - s) ** 2
    bce = -y * sp.log(s) - (1 - y) * sp.log(1 - s)
    as_yhat = {yhat: s}
    assert sp.simplify(step(d, "MSE: ∂L/∂θ").expr.subs(as_yhat) - sp.diff(mse, th)) == 0
    assert step(d, "MSE: ∂L/∂θ").expr == -(y - yhat) * yhat * (1 - yhat) * x
    assert step(d, "BCE: ∂L/∂θ").expr == (yhat - y) * x
    assert step(d, "BCE, y = 0").expr == yhat * x
    assert step(d, "BCE, y = 1").expr == -(1 - yhat) * x
    assert sp.simplify(step(d, "BCE: ∂L/∂θ").expr.subs(as_yhat) - sp.diff(bce, th)) == 0
    assert same(step(d, "BCE: ∂L/∂z").expr, 1 / (1 + sp.exp(-z)) - y)


def test_sigmoid_table_against_numpy(docs):
    (table,) = docs["sigmoid-mse-vs-bce"].tables
    zs = np.arange(-10, 11)
    s = 1 / (1 + np.exp(-zs))
    assert [int(r[0]) for r in table.rows] == list(zs)
    np.testing.assert_allclose([float(r[2]) for r in table.rows], (1 - s) ** 2 * s, rtol=1e-3)
    np.testing.assert_allclose([float(r[3]) for r in table.rows], 1 - s, rtol=1e-3)
    # the argument in numbers: at z = −10 the MSE gradient is ~4e5 times smaller than BCE's
    assert float(table.rows[0][3]) / float(table.rows[0][2]) > 1e4


def test_sigmoid_json_gradients_in_y_and_z():
    out = run("sigmoid-mse-vs-bce", "--format", "json")
    doc = json.loads(out.output)
    y, z = sp.Symbol("y", real=True), sp.Symbol("z", real=True)
    s = 1 / (1 + sp.exp(-z))
    # srepr round-trips in a test (never in the product, which never parses text)
    assert sp.simplify(sp.sympify(doc["gradients"]["mse"]) - sp.diff((y - s) ** 2 / 2, z)) == 0
    assert sp.simplify(sp.sympify(doc["gradients"]["bce"]) - sp.diff(-y * sp.log(s) - (1 - y) * sp.log(1 - s), z)) == 0
    assert doc["verified"] is True and doc["kind"] == "sigmoid-mse-vs-bce"


def test_kl_mle_equivalence_holds_for_every_k_and_n(docs):
    d = docs["kl-mle-equivalence"]
    scopes = {str(s.title): c.scope for s, c in zip(d.steps, d.checks)}
    assert scopes["Split the log of the ratio"] == "any K"
    assert scopes["Count by observation"] == ""  # proved as Σ_k f(k)·c_k = Σ_i f(y_i), not at the example sample
    assert not any(c.scope.startswith("K = ") for c in d.checks)
    count = d.steps[[str(s.title) for s in d.steps].index("Count by observation")]
    assert "c_1 = 2, c_2 = 1, c_3 = 2, c_4 = 1" in str(count.justification)  # the example sample, counted
    pq = 0.5 * math.log(0.5 / (1 / 3)) + 0.5 * math.log(0.5 / (2 / 3))
    qp = (1 / 3) * math.log((1 / 3) / 0.5) + (2 / 3) * math.log((2 / 3) / 0.5)
    assert d.json["kl_pq"] == pytest.approx(pq, rel=1e-14) and d.json["kl_qp"] == pytest.approx(qp, rel=1e-14)


def test_kl_coin_numbers(docs):
    d = docs["kl-coin"]
    pq = 0.5 * math.log(3 / 4) + 0.5 * math.log(3 / 2)  # ½ ln(3/4) + ½ ln(3/2), as in the article
    qp = (1 / 3) * math.log(2 / 3) + (2 / 3) * math.log(4 / 3)
    out = json.loads(run("kl-coin", "--format", "json").output)
    assert out["kl_pq"] == pytest.approx(pq, rel=1e-14)
    assert out["kl_qp"] == pytest.approx(qp, rel=1e-14)
    assert out["kl_pq_bits"] == pytest.approx(pq / math.log(2), rel=1e-14)
    assert sp.simplify(step(d, "The coin's value").expr - (sp.log(sp.Rational(3, 4)) / 2 + sp.log(sp.Rational(3, 2)) / 2)) == 0
    sims = out["simulation"]
    assert [s["N"] for s in sims] == [10, 100, 1000, 10000]
    assert abs(sims[-1]["normalised_log_ratio"] - pq) < 0.01  # N = 10 000 is close to the limit
    assert json.loads(run("kl-coin", "--format", "json").output)["simulation"] == sims  # seeded


def test_kl_coin_recipe_fields_change_the_result(tmp_path):
    recipe = tmp_path / "biased.yaml"
    recipe.write_text('name: biased\ntitle: A biased coin\nkind: kl-coin\np: [0.9, 0.1]\nq: ["1/2", "1/2"]\n'
                      "seed: 3\nsizes: [50]\n")
    out = json.loads(run(str(recipe), "--format", "json").output)
    assert out["kl_pq"] == pytest.approx(0.9 * math.log(1.8) + 0.1 * math.log(0.2), rel=1e-14)
    assert out["verified"] is True


def test_log_underflow(docs):
    d = docs["log-underflow"]
    assert d.json["first_zero_n"] == 1075  # 2**-1075 rounds to 0; 2**-1074 is the smallest subnormal
    assert 0.5 ** 1074 > 0 and 0.5 ** 1075 == 0
    exact = -1075 * math.log(2)
    assert d.json["loglik_at_first_zero"] == pytest.approx(exact, rel=1e-13)  # finite, and right to ~1e-14
    naive = 0.0
    for _ in range(1075):  # a plain loop: sum() of floats is compensated from Python 3.12 on
        naive += math.log(0.5)
    assert naive == d.json["loglik_at_first_zero"]
    # an independent float64 loop for another p
    prod, count = np.float64(1.0), 0
    while prod > 0:
        prod *= np.float64(0.1)
        count += 1
    assert first_zero(0.1) == count


# -- the verifier rejects wrong steps of every relation used here ------------------------------------

CORRUPTIONS = [
    ("sigmoid-mse-vs-bce", "MSE: ∂L/∂θ", lambda e: e / sig.yhat),                      # derivative with view
    ("sigmoid-mse-vs-bce", "The sigmoid's derivative", lambda e: e * 2),                # derivative
    ("sigmoid-mse-vs-bce", "MSE, y = 1, confidently wrong", lambda e: e + 1),           # limit
    ("sigmoid-mse-vs-bce", "BCE, y = 1, confidently wrong", lambda e: sp.Integer(0)),   # limit
    ("kl-mle-equivalence", "Split the log of the ratio", lambda e: -e),                 # equal, any K
    ("kl-mle-equivalence", "Count by observation", lambda e: e * 2),                    # equal at a sample
    ("kl-mle-equivalence", "Drop the entropy", lambda e: e + sp.Symbol("theta", real=True)),  # constant-dropped
    ("kl-mle-equivalence", "The empirical distribution", lambda e: e / 2),              # substitution
    ("kl-mle-equivalence", "Drop the 1/n", lambda e: e * sp.Symbol("theta", real=True)),  # rescaled by θ
    ("kl-mle-equivalence", "Negate: the log-likelihood", lambda e: -e),                 # negated
    ("kl-coin", "Normalise and take the log", lambda e: e * 2),                         # equal with "of"
    ("kl-coin", "N → ∞", lambda e: e + sp.log(2)),                                      # substitution
    ("kl-coin", "The coin's value", lambda e: e * sp.Rational(101, 100)),               # evaluated
    ("log-underflow", "The product underflows", lambda e: e - 1),                       # float64-underflow
    ("log-underflow", "The log-likelihood does not", lambda e: e + sp.Rational(1, 10**6)),  # evaluated
]


@pytest.mark.parametrize("name, title, corrupt", CORRUPTIONS)
def test_corrupted_step_rejected(docs, name, title, corrupt):
    d = docs[name]
    index = next(n for n, s in enumerate(d.steps) if str(s.title) == title)
    good = d.steps[index]
    assert check_step(d, good).verified
    bad = dataclasses.replace(good, expr=corrupt(good.expr))
    assert not check_step(d, bad).verified


def test_differs_rejects_equal_values(docs):
    d = docs["kl-mle-equivalence"]
    s = step(d, "D_KL is not symmetric")
    assert verify_step(None, s, None).verified
    bad = dataclasses.replace(s, expr=s.payload.other)
    assert not verify_step(None, bad, None).verified


def test_wrong_printed_decimals_rejected(docs):
    s = step(docs["kl-coin"], "The coin's value")
    ref = step(docs["kl-coin"], "N → ∞")
    bad = dataclasses.replace(s, payload=Evaluation(subs=s.payload.subs, decimals={"nats": (0.0589, 1)}))
    assert verify_step(None, s, ref).verified
    assert not verify_step(None, bad, ref).verified  # rounded, not the value


# -- output formats and the CLI ----------------------------------------------------------------------

@pytest.mark.parametrize("name", ARGUMENTS)
def test_latex_compiles_and_markdown_renders(docs, name, tmp_path):
    tex = tmp_path / ("%s.tex" % name)
    tex.write_text(render_latex(docs[name]))
    log = compile_tex(tex)
    assert "Overfull \\hbox" not in log
    md = render_markdown(docs[name])
    assert md.count("$$") % 2 == 0 and "steps verified" in md


@pytest.mark.parametrize("name, expect", [
    ("sigmoid-mse-vs-bce", "15/15 steps verified"),
    ("kl-mle-equivalence", "verified, symbolic (any K)"),
    ("kl-coin", "Simulated (seed 0)"),
    ("log-underflow", "1075"),
])
def test_cli_terminal(name, expect):
    out = run(name)
    assert out.exit_code == 0 and expect in out.output


def test_plot(tmp_path):
    pytest.importorskip("matplotlib")
    target = tmp_path / "g.png"
    out = run("sigmoid-mse-vs-bce", "--plot", str(target))
    assert out.exit_code == 0 and target.read_bytes().startswith(b"\x89PNG")
    again = run("sigmoid-mse-vs-bce", "--plot", str(target))
    assert again.exit_code == 2 and "use --force" in again.output
    other = run("kl-coin", "--plot", str(tmp_path / "x.png"))
    assert other.exit_code == 2 and "--plot applies to sigmoid-mse-vs-bce" in other.output


@pytest.mark.parametrize("body, message", [
    ("kind: kl-coin\np: [0.5, 0.6]\n", "field 'p': the probabilities must sum to 1 exactly"),
    ("kind: kl-coin\np: [1, 0]\n", "field 'p': every probability must be positive"),
    ("kind: kl-coin\nq: \"__import__('os')\"\n", "field 'q': must be a list of 2 to 12 probabilities"),
    ("kind: kl-coinn\n", "field 'kind': unknown kind 'kl-coinn'. Did you mean 'kl-coin'?"),
    ("kind: log-underflow\np: 2\n", "field 'p': must be between 0.000001 and 0.999"),
    ("kind: log-underflow\nfamily: gaussian\n", "field 'family': not a field of kind log-underflow"),
    ("kind: sigmoid-mse-vs-bce\nlabel: 2\n", "field 'label': must be 0 or 1"),
])
def test_bad_argument_recipes(tmp_path, body, message):
    recipe = tmp_path / "r.yaml"
    recipe.write_text("name: r\ntitle: T\n" + body)
    out = run(str(recipe))
    assert out.exit_code == 2
    lines = out.output.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], lines


def test_argument_recipe_object_api():
    r = parse_recipe({"name": "u", "title": "U", "kind": "log-underflow", "p": 0.1}, "u.yaml")
    doc = verify(build(r))
    assert doc.verified and doc.json["first_zero_n"] == first_zero(0.1)
