"""Closed-form MLE: against numpy on drawn data, and its checks reject wrong results."""
import dataclasses

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from mlederive.mle import NoClosedForm, _checks, fraction_text, solve_mle


def test_textbook_estimates():
    b = solve_mle("bernoulli", [1, 0, 1, 1])
    p = b.problem.params[0]
    assert sp.srepr(b.estimate[p]) == sp.srepr(b.statistics[0].symbol)  # p̂ = ȳ
    g = solve_mle("gaussian", [1.0, 2.0, 4.0])
    mu, sigma = g.problem.params
    stats = {s.symbol.name: s.symbol for s in g.statistics}
    ybar, ysq = stats["ybar"], stats["ysqbar"]
    assert g.estimate[mu] == ybar
    assert sp.simplify(g.estimate[sigma] ** 2 - (ysq - ybar**2)) == 0  # σ̂² = ⟨y²⟩ − ȳ²
    for r in (b, g, solve_mle("poisson", [0, 2, 3])):
        assert r.verified and [c.verified for c in r.checks] == [True, True, True, True]


@settings(max_examples=25, deadline=None)
@given(st.lists(st.integers(0, 1), min_size=2, max_size=9).filter(lambda d: 0 < sum(d) < len(d)))
def test_bernoulli_matches_numpy(data):
    (label, value), = solve_mle("bernoulli", data).values()
    assert float(value) == pytest.approx(np.mean(data), rel=1e-12)


@settings(max_examples=25, deadline=None)
@given(st.lists(st.integers(0, 12), min_size=2, max_size=9).filter(lambda d: sum(d) > 0))
def test_poisson_matches_numpy(data):
    (label, value), = solve_mle("poisson", data).values()
    assert float(value) == pytest.approx(np.mean(data), rel=1e-12)


@settings(max_examples=25, deadline=None)
@given(st.lists(st.integers(-50, 50).map(lambda v: v / 10), min_size=2, max_size=9).filter(lambda d: len(set(d)) > 1))
def test_gaussian_matches_numpy(data):
    (_, mu), (_, var) = solve_mle("gaussian", data).values()
    assert float(mu) == pytest.approx(np.mean(data), rel=1e-12, abs=1e-12)
    assert float(var) == pytest.approx(np.var(data), rel=1e-9)  # ddof=0: the MLE, not the unbiased variance


def test_checks_reject_a_wrong_estimate_score_or_maximum():
    r = solve_mle("bernoulli", [1, 0, 1, 1, 0, 1])
    p = r.problem.params[0]
    ybar = r.statistics[0].symbol
    wrong_estimate = dataclasses.replace(r, estimate={p: ybar / 2})
    assert [c.verified for c in _checks(wrong_estimate)][1] is False
    wrong_score = dataclasses.replace(r, score=[ybar / p])
    assert _checks(wrong_score)[0].verified is False
    # a minimum passed off as a maximum: flip the Hessian's sign
    flipped = dataclasses.replace(r, hessian=-r.hessian)
    assert _checks(flipped)[3].verified is False


def test_no_closed_form_is_an_error():
    with pytest.raises(NoClosedForm):
        solve_mle("student-t", [1.0, 2.0])


@pytest.mark.parametrize("data", [[1.0, 2.0, 5.0], [1.0, 2.0, 5.0, 7.0], [3.0], [2.0, 2.0, 9.0, -1.0, 2.0]])
def test_the_laplace_location_is_the_median_and_checked(data):
    """|y − μ| is not differentiable at the observations: the MLE is the sample median (numpy's), and both exact checks
    pass; a wrong estimate (the mean) fails them."""
    import dataclasses

    from mlederive.mle import median_checks

    r = solve_mle("laplace", data)
    (_, value), = r.values()
    assert r.verified and float(value) == pytest.approx(float(np.median(data)))
    assert r.checks[0].method == "computed" and "subgradient" in str(r.checks[0].what)
    mu, median = r.problem.params[0], r.statistics[0].symbol
    spread = sp.Rational(str(max(data) - min(data))) + 1  # outside the middle interval: no maximum there
    for wrong in (median + spread, median - spread, median + sp.Rational(1, 100) if len(data) % 2 else median + spread):
        checks = median_checks(dataclasses.replace(r, estimate={mu: wrong}))
        assert not all(c.verified for c in checks), (data, wrong)


def test_a_single_observation_is_a_sample():
    r = solve_mle("poisson", [3])
    assert r.verified and r.values()[0][1] == 3
    g = solve_mle("gaussian", [3])
    assert g.boundary is not None and "boundary" in str(g.boundary)  # σ̂² = 0: no interior maximum, said so


def test_fraction_text():
    assert fraction_text(sp.Rational(2, 3)) == "0.6667"
    assert fraction_text(sp.Rational(1, 2)) == "0.5"
    assert fraction_text(sp.Integer(3)) == "3"


def test_more_families_and_no_closed_form():
    from mlederive.mle import solve_mle as solve

    for family in ("exponential", "geometric", "gamma", "negative-binomial", "inverse-gaussian"):
        r = solve(family, [1, 2, 4])
        (_, value), = r.values()
        assert r.verified and float(value) == pytest.approx(7 / 3)  # μ̂ = ȳ for all of them
    w = solve("weibull", [1.0, 2.0])  # μ̂ = (mean of y^k)^(1/k): a closed form beyond ȳ
    assert w.verified
    assert solve("laplace", [1.0, 2.0, 4.0]).values()[0][1] == 2  # |y − μ|: the median, not a score equation
    with pytest.raises(NoClosedForm, match="does not separate"):
        solve("student-t", [1.0, 2.0])
    with pytest.raises(NoClosedForm, match="no solution of the score equations"):
        solve("beta", [0.2, 0.4])


def test_mle_cli():
    from click.testing import CliRunner

    from mlederive.cli import cli

    out = CliRunner().invoke(cli, ["mle", "poisson", "--data", "2,0,3,1"])
    assert out.exit_code == 0 and "λ̂ = 1.5 on the data" in out.output and "✗" not in out.output
    out = CliRunner().invoke(cli, ["mle", "student-t", "--data", "1,2"])
    assert out.exit_code == 2 and "no closed form" in out.output and len(out.output.strip().splitlines()) == 1
    out = CliRunner().invoke(cli, ["mle", "poisson", "--data", "a,b"])
    assert out.exit_code == 2 and "give numbers separated by commas" in out.output


def test_mle_formats_latex_markdown_and_output_file(tmp_path):
    from click.testing import CliRunner
    from conftest import compile_tex

    from mlederive.cli import cli

    runner = CliRunner()
    md = runner.invoke(cli, ["mle", "gaussian", "--data", "1,2,4", "--format", "markdown"])
    assert md.exit_code == 0
    assert md.output.startswith("# Maximum-likelihood estimate")
    assert r"\hat{\mu} &= \bar{y}" in md.output and r"\overline{y^2}" in md.output
    assert r"\bar{ysq}" not in md.output  # statistics print as defined, not as their symbol's name
    tex = tmp_path / "mle.tex"
    out = runner.invoke(cli, ["mle", "gaussian", "--data", "1,2,4", "-o", str(tex)])
    assert out.exit_code == 0 and tex.exists()
    log = compile_tex(tex)
    assert "LaTeX Warning" not in log
    again = runner.invoke(cli, ["mle", "gaussian", "--data", "1,2,4", "-o", str(tex)])
    assert again.exit_code == 2 and "file exists; use --force" in again.output
    frag = runner.invoke(cli, ["mle", "poisson", "--data", "1,2", "--format", "json", "--fragment"])
    assert frag.exit_code == 2 and "--fragment applies to --format latex or markdown" in frag.output


# -- data outside the support, the boundary, known parameters, numbers ----------------------------

#: family → (a sample inside its support, an observation outside it), the support as scipy sees it
SUPPORT_CASES = {
    "bernoulli": ([0, 1, 1], 0.5), "binomial": ([0, 0.5, 1], 1.5), "poisson": ([0, 2, 3], -1),
    "geometric": ([0, 1, 4], 2.5), "negative-binomial": ([0, 1, 4], -3), "exponential": ([0.5, 2], 0),
    "gamma": ([0.5, 2], -1), "inverse-gaussian": ([0.5, 2], 0), "log-normal": ([1, 2], -1),
    "weibull": ([1, 2], 0), "beta": ([0.2, 0.5], 1), "gaussian": ([1, 2], float("inf")),
}


@pytest.mark.parametrize("family", sorted(SUPPORT_CASES))
def test_data_outside_the_support_is_a_one_line_error_naming_the_first_value(family):
    from click.testing import CliRunner

    from mlederive.cli import cli
    from mlederive.families import FAMILIES

    inside, outside = SUPPORT_CASES[family]
    assert FAMILIES[family].support.contains(sp.Rational(str(outside)) if outside != float("inf") else sp.oo) \
        is not sp.true  # outside, by the family's own declaration
    data = ",".join(map(str, inside + [outside, inside[0]]))
    out = CliRunner().invoke(cli, ["mle", family, "--data", data])
    assert out.exit_code == 2, out.output
    message = out.output.strip().splitlines()
    assert len(message) == 1 and "observation %d" % (len(inside) + 1) in message[0]
    assert "support" in message[0] or "not a finite number" in message[0]


@pytest.mark.parametrize("family, data, label", [("poisson", "0,0,0", "λ̂ = 0"), ("bernoulli", "0,0,0", "p̂ = 0"),
                                                  ("bernoulli", "1,1,1", "p̂ = 1"), ("gaussian", "2,2,2", "σ̂² = 0")])
def test_an_estimate_on_the_boundary_says_so_and_claims_no_maximum(family, data, label):
    r = solve_mle(family, [float(v) for v in data.split(",")])
    assert r.boundary is not None and r.boundary.startswith(label) and "boundary" in r.boundary
    assert not any("Hessian" in c.what for c in r.checks)  # no second-order claim where there is no Hessian
    from mlederive.render.mle import mle_lines

    assert any(line.startswith("! " + label) for line in mle_lines(r))


def test_known_parameters_give_numbers_and_estimates_print_six_digits():
    from mlederive.render.mle import mle_lines

    r = solve_mle("weibull", [1.2, 0.5, 2.0], {"k": 2.0})
    (_, value), = r.values()
    assert float(value) == pytest.approx(np.sqrt(np.mean(np.array([1.2, 0.5, 2.0]) ** 2)), rel=1e-12)
    assert any("≈ 1.3772" in line for line in mle_lines(r))
    formula = solve_mle("weibull", [1.2, 0.5, 2.0])
    assert any("give k with --param" in line for line in mle_lines(formula))
    exact = solve_mle("gaussian", [1.0, 2.0, 4.0])
    assert any("7/3 ≈ 2.33333" in line for line in mle_lines(exact))
    with pytest.raises(Exception, match="no parameter 'k'"):
        solve_mle("poisson", [1.0, 2.0], {"k": 2.0})


def test_the_log_likelihood_and_score_read_as_a_textbook_writes_them():
    from mlederive.render.mle import mle_lines

    lines = mle_lines(solve_mle("bernoulli", [1, 0, 1, 1]))
    assert lines[0].startswith("ℓ(θ)/n = ȳ·log p + (1 − ȳ)·log(1 − p) + const")
    assert lines[1] == "∂(ℓ/n)/∂p = ȳ/p − (1 − ȳ)/(1 − p) = 0"
    assert solve_mle("bernoulli", [1, 0, 1, 1]).verified  # the regrouped forms pass the same checks


def test_a_misspelt_family_gets_a_did_you_mean():
    from click.testing import CliRunner

    from mlederive.cli import cli

    out = CliRunner().invoke(cli, ["mle", "gausian", "--data", "1,2"])
    assert out.exit_code == 2 and "Did you mean 'gaussian'?" in out.output and len(out.output.strip().splitlines()) == 1
