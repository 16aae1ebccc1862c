"""LaTeX and Markdown export: real pdflatex, escaping, line breaking, atomic -o."""
import os
import re
import shutil
import subprocess

import pytest
import sympy as sp
from click.testing import CliRunner
from conftest import (
    ARGUMENTS,
    BEYOND,
    BUILTINS,
    CUSTOM,
    code_tokens,
    compile_tex,
    derived,
    pages_as_png,
    without_code,
)

from mlederive import symbolic as S
from mlederive.cli import cli
from mlederive.derivation import derive
from mlederive.recipe import parse_recipe
from mlederive.render.latex import (
    LINE_WIDTH,
    _visible,
    equation_rows,
    render_latex,
    tex_text,
)
from mlederive.render.markdown import md_text, render_markdown

HOSTILE = r"Costs & 100% of $x_1 #1 {\it bad}"


def run(*args):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def hostile_derivation():
    recipe = parse_recipe({"name": "hostile", "title": HOSTILE, "description": "Also ~ ^ \\ < > | in the text.",
                           "family": "gaussian", "link": "identity"}, "hostile.yaml")
    return derive(recipe)


@pytest.mark.parametrize("name", BUILTINS + CUSTOM + ARGUMENTS + BEYOND)
def test_every_builtin_compiles_without_overfull_lines(name, tmp_path):
    d = derived(name)
    tex = tmp_path / ("%s.tex" % name)
    tex.write_text(render_latex(d))
    log = compile_tex(tex)
    assert "Overfull \\hbox" not in log, "an equation runs off the page"
    assert "LaTeX Warning" not in log
    pngs, text = pages_as_png(tex.with_suffix(".pdf"), tmp_path)
    assert pngs and all(p.read_bytes().startswith(b"\x89PNG") and p.stat().st_size > 3000 for p in pngs)
    assert "Step %d" % len(d.steps) in text and "U+" not in text and "**" not in without_code(text, code_tokens(d))


def test_hostile_title_compiles_and_prints_literally(tmp_path):
    d = hostile_derivation()
    source = render_latex(d)
    assert r"\title{Costs \& 100\% of \$x\_1 \#1 \{\textbackslash{}it bad\}}" in source
    tex = tmp_path / "hostile.tex"
    tex.write_text(source)
    compile_tex(tex)
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", str(tex.with_suffix(".pdf")), "-"], capture_output=True,
                              text=True).stdout
        assert HOSTILE in text
    md = render_markdown(d)
    assert md.splitlines()[0] == r"# Costs & 100% of \$x\_1 \#1 {\\it bad}"


def test_tex_text_escapes_every_special_and_converts_our_unicode():
    assert tex_text("a & b % c $ d # e _ f { g } h ~ i ^ j \\ k", prose=False) == (
        r"a \& b \% c \$ d \# e \_ f \{ g \} h \textasciitilde{} i \textasciicircum{} j \textbackslash{} k")
    assert tex_text("μ_i = g⁻¹(η_i)") == r"$\mu_{i}$ = $g^{-1}$($\eta_{i}$)"
    assert tex_text("y_i | x_i ~ N(μ, σ²)") == r"$y_{i}$ $\mid$ $x_{i}$ $\sim$ N($\mu$, $\sigma ^{2}$)"
    # a character pdflatex cannot typeset is shown by its code point, not passed through to break the build
    assert "U+4E2D" in tex_text("中")


def test_markdown_escapes_and_balances_math():
    md = render_markdown(derived("bernoulli-logit"))
    assert md.count("$$") % 2 == 0 and md.count("$$") >= 2 * 12
    assert "binary cross-entropy" in md
    assert md_text("a*b_c $x$ [l](u)") == r"a\*b\_c \$x\$ \[l\](u)"


def test_fragment_is_the_body_alone():
    d = derived("poisson-log")
    full, body = render_latex(d), render_latex(d, fragment=True)
    assert full.startswith(r"\documentclass") and r"\begin{document}" in full
    assert r"\documentclass" not in body and r"\begin{document}" not in body and body.strip() in full
    md_full, md_body = render_markdown(d), render_markdown(d, fragment=True)
    assert md_full.startswith("# ") and not md_body.startswith("# ") and md_body in md_full


def test_long_sums_break_at_top_level_terms():
    y = sp.Symbol("y", real=True)
    terms = sum(sp.Symbol("alpha_%d" % j, real=True) * sp.log(y + j) for j in range(1, 14))
    rows = equation_rows(r"\ell(\theta)", sp.Sum(terms.subs(y, S.y[S.i]), (S.i, 1, S.n)))
    assert len(rows) > 2
    assert rows[0].startswith(r"\ell(\theta) &= \sum_{i=1}^{n} \Bigl(") and rows[-1].endswith(r"\Bigr)")
    assert all(_visible(r) <= LINE_WIDTH + 12 for r in rows)
    short = equation_rows("L", sp.Symbol("a") + 1)
    assert short == ["L &= a + 1"]


def test_cli_formats_and_atomic_output(tmp_path):
    out = run("bernoulli-logit", "--format", "latex")
    assert out.exit_code == 0 and out.output.startswith(r"\documentclass")
    out = run("bernoulli-logit", "--format", "markdown", "--fragment")
    assert out.exit_code == 0 and not out.output.startswith("# ")
    target = tmp_path / "bce.tex"
    assert run("bernoulli-logit", "--format", "latex", "-o", str(target)).exit_code == 0
    first = target.read_text()
    assert first.startswith(r"\documentclass")
    again = run("bernoulli-logit", "--format", "latex", "-o", str(target))
    assert again.exit_code == 2 and "file exists; use --force" in again.output
    assert target.read_text() == first
    md = tmp_path / "bce.md"  # format from the extension
    assert run("bernoulli-logit", "-o", str(md)).exit_code == 0 and md.read_text().startswith("# ")
    forced = run("gaussian-identity", "--format", "latex", "-o", str(target), "--force")
    assert forced.exit_code == 0 and "mean squared error" in target.read_text()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bce.md", "bce.tex"]  # no temporary files left


@pytest.mark.parametrize("args, message", [
    (["--fragment"], "--fragment applies to --format latex or markdown"),
    (["-o", "out.txt"], "give --format json, latex, markdown or html"),
    (["--format", "latex", "-o", "no/such/dir/x.tex"], "does not exist; create it first"),
])
def test_cli_output_errors_are_one_line(args, message, tmp_path):
    os.chdir(tmp_path)
    out = run("poisson-log", *args)
    assert out.exit_code == 2
    lines = out.output.strip().splitlines()
    assert len(lines) == 1 and message in lines[0] and lines[0].startswith("Error: ")
    assert list(tmp_path.iterdir()) == []


def _learned_recipes():
    from mlederive.families import FAMILIES
    for fam in FAMILIES.values():
        link = fam.canonical_link or fam.natural_link or "identity"
        for p in fam.params:
            yield pytest.param(fam.name, link, p.name, id="%s-%s-learned-%s" % (fam.name, link, p.name))


@pytest.mark.parametrize("family, link, param", list(_learned_recipes()))
def test_learned_parameter_labels_are_typeset_from_the_symbol(family, link, param):
    """∂L/∂b was once pasted as ``\\partial \\b`` (an undefined control sequence): labels come from sp.latex."""
    recipe = parse_recipe({"name": "learned", "title": "Learned", "family": family, "link": link,
                           "parameters": {param: "learned"}}, "learned.yaml")
    d = derive(recipe, verify_steps=False)
    source = render_latex(d)
    symbol = d.model.params[param]
    assert r"\frac{\partial \mathcal{L}}{\partial %s}" % sp.latex(symbol) in source
    assert not re.search(r"\\partial \\%s\b" % re.escape(param), source) or sp.latex(symbol) == "\\" + param


def test_learned_laplace_scale_compiles(tmp_path):
    recipe = parse_recipe({"name": "laplace-learned-b", "title": "Laplace, learned scale", "family": "laplace", "link": "identity",
                           "parameters": {"b": "learned"}}, "laplace-learned-b.yaml")
    tex = tmp_path / "laplace-learned-b.tex"
    tex.write_text(render_latex(derive(recipe)))
    log = compile_tex(tex)
    assert "Undefined control sequence" not in log


def test_combining_accents_and_primes_are_typeset_not_shown_as_code_points():
    assert tex_text("gives θ̂ = 0") == r"gives $\hat{\theta }$ = 0"
    assert tex_text("σ′(z)") == r"$\sigma '$(z)"
    assert "U+" not in tex_text("λ̂ and x̂ and σ′")
