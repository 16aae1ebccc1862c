"""Grading (mlederive.grading): a corpus of submissions written as students write them — correct derivations in
Bishop's, Murphy's and a lecture's notation, and typical mistakes at different steps, some continuing correctly after
— each with its relations, first error, carried-forward steps, final answers and score; and the command's formats and
refusals."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from mlederive.cli import cli
from mlederive.derivation import derive
from mlederive.grading.grade import grade
from mlederive.grading.submission import read_submission

CORPUS = Path(__file__).resolve().parent / "grading_corpus"

#: file → (recipe, the steps' marks ("✓" valid, "✗" wrong, "?" could not read, "c" carried forward from a wrong step),
#: the first error, (final loss, final gradient), the first error's kind (None where it is "does not follow" or none),
#: the score (the parts of the derivation shown — model, log, constant, negation: 1 each — the final loss and gradient:
#: 2 each; the Bernoulli has no θ-free constant to drop)
EXPECTED = {
    'categorical_chain_rule_gradient.md': ('categorical-softmax', '✓✓✓✓', None, (True, True), None, '7/7'),
    'categorical_lecture_correct.md': ('categorical-softmax', '✓✓✓✓', None, (True, True), None, '7/7'),
    'categorical_logsumexp_sign.md': ('categorical-softmax', '✓✓✓✗', 4, (True, False), 'sign', '5/7'),
    'categorical_murphy_correct.md': ('categorical-softmax', '✓✓✓', None, (True, True), None, '7/7'),
    'categorical_normaliser_dropped.md': ('categorical-softmax', '✓✗c', 2, (False, False), 'θ-term dropped', '2/7'),
    'bernoulli_align_p_correct.tex': ('bernoulli-logit', '✓✓✓✓', None, (True, True), None, '7/7'),
    'bernoulli_bce_mean.md': ('bernoulli-logit', '✓✓✓', None, (True, False), None, '5/7'),
    'bernoulli_chain_factor_missing.md': ('bernoulli-logit', '✓✓✗', 3, (True, False), 'chain rule', '5/7'),
    'bernoulli_gradient_sign.md': ('bernoulli-logit', '✓✓✗', 3, (True, False), 'sign', '5/7'),
    'bernoulli_lecture_correct.md': ('bernoulli-logit', '✓✓✓✓✓', None, (True, True), None, '7/7'),
    'bernoulli_log_of_sum.md': ('bernoulli-logit', '✓✓✗c', 3, (False, False), 'log of a sum', '3/7'),
    'bernoulli_logits_form.md': ('bernoulli-logit', '✓✓✓✓', None, (True, True), None, '7/7'),
    'bernoulli_missing_1_minus_y.md': ('bernoulli-logit', '✓✗c', 2, (False, False), None, '3/7'),
    'bernoulli_murphy_mu.tex': ('bernoulli-logit', '✓✓✓', None, (True, True), None, '7/7'),
    'bernoulli_not_negated.md': ('bernoulli-logit', '✓✓✗c', 3, (False, False), 'negation missing', '2/7'),
    'bernoulli_theta_term_dropped.md': ('bernoulli-logit', '✓✗c', 2, (False, False), 'θ-term dropped', '3/7'),
    'bernoulli_words_line.md': ('bernoulli-logit', '✓?✓✓', None, (True, False), None, '5/7'),
    'bernoulli_wrong_link_derivative.md': ('bernoulli-logit', '✓✓✗', 3, (True, False), 'wrong link', '5/7'),
    'gaussian_bishop_correct.md': ('gaussian-identity', '✓✓✓✓✓', None, (True, True), None, '8/8'),
    'gaussian_density_first.md': ('gaussian-identity', '✓✓✓✓', None, (True, False), None, '6/8'),
    'gaussian_half_missing.md': ('gaussian-identity', '✓✓✗', 3, (True, False), 'factor', '6/8'),
    'gaussian_hostile.md': ('gaussian-identity', '✓??✓', None, (False, False), None, '2/8'),
    'gaussian_lecture_wz.md': ('gaussian-identity', '✓✓✓✓✓', None, (True, True), None, '8/8'),
    'gaussian_log_rescaled.md': ('gaussian-identity', '✓✓✓', None, (True, False), None, '6/8'),
    'gaussian_loss_first.md': ('gaussian-identity', '✗c', 1, (True, True), 'not the model', '4/8'),
    'gaussian_missing_square.md': ('gaussian-identity', '✓✗c', 2, (False, False), None, '4/8'),
    'gaussian_mu_notation.md': ('gaussian-identity', '✓✓✓✓', None, (True, False), None, '6/8'),
    'gaussian_murphy_align.tex': ('gaussian-identity', '✓✓✓✓✓', None, (True, False), None, '6/8'),
    'gaussian_murphy_nll_first.tex': ('gaussian-identity', '✓', None, (True, False), None, '5/8'),
    'gaussian_negated_twice.md': ('gaussian-identity', '✓✓✗', 3, (False, False), 'negation missing', '3/8'),
    'gaussian_product_of_logs.md': ('gaussian-identity', '✓✗✓', 2, (True, False), None, '6/8'),
    'gaussian_six_steps.md': ('gaussian-identity', '✓✓✓✓✓✓', None, (True, True), None, '8/8'),
    'gaussian_sign_error.md': ('gaussian-identity', '✓✗c✓', 2, (False, False), 'sign', '4/8'),
    'gaussian_sign_in_gradient.md': ('gaussian-identity', '✓✓✗', 3, (True, False), 'sign', '6/8'),
    'gaussian_theta_term_dropped.md': ('gaussian-identity', '✓✗c', 2, (False, False), 'θ-term dropped', '4/8'),
    'gaussian_two_errors.md': ('gaussian-identity', '✓✗c✗', 2, (False, False), 'sign', '4/8'),
    'gaussian_unbalanced.md': ('gaussian-identity', '✓?✓✓', None, (True, False), None, '6/8'),
    'gaussian_unreadable_line.md': ('gaussian-identity', '✓?✓✓', None, (True, False), None, '6/8'),
    'gaussian_wrong_first.md': ('gaussian-identity', '✗c✓', 1, (False, False), 'not the model', '3/8'),
    'laplace_correct.md': ('laplace-identity', '✓✓✓', None, (True, False), None, '6/8'),
    'laplace_sign_error.md': ('laplace-identity', '✓✗c', 2, (False, False), 'sign', '4/8'),
    'laplace_squared_by_mistake.md': ('laplace-identity', '✓✗c', 2, (False, False), None, '4/8'),
    'poisson_chain_missing.md': ('poisson-log', '✓✓✗', 3, (True, False), 'chain rule', '6/8'),
    'poisson_correct.md': ('poisson-log', '✓✓✓✓✓', None, (True, True), None, '8/8'),
    'poisson_derivative_sign.md': ('poisson-log', '✓✓✗', 3, (True, False), 'sign', '6/8'),
    'poisson_factorial_sign_harmless.md': ('poisson-log', '✓✓✓', None, (True, False), None, '6/8'),
    'poisson_link_substituted.md': ('poisson-log', '✓✓✓', None, (True, False), None, '6/8'),
}


@pytest.fixture(scope="module")
def derivations():
    return {}


def _marks(report) -> str:
    return "".join("?" if s.unreadable else "c" if s.carried_forward else "✓" if s.valid else "✗" for s in report.steps)


@pytest.mark.parametrize("name", EXPECTED)
def test_each_submission_gets_its_relations_first_error_and_final_answers(name, derivations):
    """47 submissions over five recipes (cross-entropy on the softmax among them): correct ones in Bishop's, Murphy's
    and a lecture's notation (Markdown and align*), and the
    typical mistakes — a sign, a factor, the chain rule's dμ/dη, another link's dμ/dη, a θ-term dropped as a
    constant, the log of a sum, a log-likelihood called a loss — at different steps, some continuing correctly."""
    recipe, marks, first, final, kind, score = EXPECTED[name]
    if recipe not in derivations:
        derivations[recipe] = derive(recipe)
    report = grade(read_submission(CORPUS / name), derivations[recipe])
    assert _marks(report) == marks, [(s.relation, s.feedback) for s in report.steps]
    assert report.first_error == first
    assert (report.final["loss"], report.final["gradient"]) == final
    assert report.json()["first_error_kind"] == kind
    assert "%s/%s" % (report.score, report.max_score) == score, report.credits
    assert report.score == sum(earned for earned, _ in report.credits.values())


def test_an_invalid_step_shows_a_point_where_it_differs():
    report = grade(read_submission(CORPUS / "gaussian_missing_square.md"), derive("gaussian-identity"))
    wrong = report.steps[1].counterexample
    assert wrong is not None and "σ" in wrong["at"] and wrong["previous"] != wrong["this"]


def test_the_command_prints_marks_and_json_and_refuses_bad_input(tmp_path):
    runner = CliRunner()
    out = runner.invoke(cli, ["grade", str(CORPUS / "gaussian_sign_error.md"), "--recipe", "gaussian-identity"])
    assert out.exit_code == 0 and "4/8 points" in out.output and "first error at step 2" in out.output
    assert "✗ 2" in out.output and "likely error: it is the step before negated" in out.output
    out = runner.invoke(cli, ["grade", str(CORPUS / "gaussian_bishop_correct.md"), str(CORPUS / "laplace_correct.md"),
                              "--recipe", "gaussian-identity", "--format", "json"])
    reports = json.loads(out.output)
    assert [r["first_error"] for r in reports] == [None, 1]
    assert set(reports[0]) == {"file", "steps", "first_error", "first_error_kind", "score", "max_score", "final",
                              "credits"}
    assert set(reports[0]["steps"][0]) == {"number", "latex", "relation", "valid", "carried_forward", "feedback",
                                           "counterexample", "mistake"}
    bad = tmp_path / "bad.md"
    bad.write_bytes(b"$$\xff$$")
    for args, message in (([str(bad)], "is not UTF-8 text"), ([str(tmp_path / "none.md")], "cannot be read"),
                          ([str(CORPUS / "laplace_correct.md"), "--recipe", "nope"], "nope")):
        out = runner.invoke(cli, ["grade", *args] + ([] if "--recipe" in args else ["--recipe", "gaussian-identity"]))
        assert out.exit_code == 2 and message in out.output and len(out.output.strip().splitlines()) == 1, out.output
    empty = tmp_path / "empty.md"
    empty.write_text("No formulas here.\n")
    out = runner.invoke(cli, ["grade", str(empty), "--recipe", "gaussian-identity"])
    assert out.exit_code == 2 and "no formula found" in out.output


def test_the_readmes_example_is_the_commands_output(monkeypatch):
    root = CORPUS.parent.parent
    readme = (root / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Grading a student's derivation")[1]
    block = section.split("```\n")[3]  # the second fenced block: the report
    monkeypatch.chdir(root)
    out = CliRunner().invoke(cli, ["grade", "tests/grading_corpus/bernoulli_not_negated.md", "--recipe",
                                   "bernoulli-logit"], env={"COLUMNS": "80"})
    assert out.output.rstrip("\n") == block.rstrip("\n")


def test_csv_for_a_class_a_rubric_and_two_workers_give_the_serial_grades(tmp_path):
    """CSV: one row per submission with the first error's kind; a rubric file changes the points (a bad one is one
    line, exit 2); a class graded by two processes gets exactly the grades one process gives."""
    import csv
    import io

    runner = CliRunner()
    files = [str(CORPUS / n) for n in ("gaussian_bishop_correct.md", "gaussian_sign_error.md",
                                       "gaussian_half_missing.md", "gaussian_wrong_first.md",
                                       "gaussian_theta_term_dropped.md")]
    serial = runner.invoke(cli, ["grade", *files, "--recipe", "gaussian-identity", "--format", "csv",
                                 "--workers", "1"])
    parallel = runner.invoke(cli, ["grade", *files, "--recipe", "gaussian-identity", "--format", "csv"])
    assert serial.exit_code == 0 and parallel.output == serial.output
    rows = list(csv.DictReader(io.StringIO(serial.output)))
    assert [(r["score"], r["first_error"], r["first_error_kind"]) for r in rows] == [
        ("8", "", ""), ("4", "2", "sign"), ("6", "3", "factor"), ("3", "1", "not the model"), ("4", "2", "θ-term dropped")]
    # the points of each part: the one who started from a wrong model earned the log, the constant and the negation
    assert [rows[3][p] for p in ("likelihood", "log", "constant", "negation", "loss", "gradient")] == \
        ["0", "1", "1", "1", "0", "0"]
    rubric = tmp_path / "rubric.yaml"
    rubric.write_text("log: 0\nloss: 5\n")
    out = runner.invoke(cli, ["grade", files[0], "--recipe", "gaussian-identity", "--rubric", str(rubric),
                              "--format", "json"])
    assert (json.loads(out.output)["score"], json.loads(out.output)["max_score"]) == (10, 10)
    for text, message in (("log: -1\n", "must be a number of points"), ("step: 1\n", "must map some of likelihood, log"),
                          ("{", "cannot be read as YAML")):
        rubric.write_text(text)
        out = runner.invoke(cli, ["grade", files[0], "--recipe", "gaussian-identity", "--rubric", str(rubric)])
        assert out.exit_code == 2 and message in out.output and len(out.output.strip().splitlines()) == 1, out.output


def test_the_html_page_is_well_formed_mathml_and_a_browser_lays_it_out(tmp_path):
    """The page a student is given: well-formed XML with MathML, ✓ and ✗ per step, the likely error — and headless
    Chromium lays the formulas out (fractions stacked, nothing wider than the page)."""
    import re
    import xml.etree.ElementTree as ET

    from conftest import run_chromium

    out = CliRunner().invoke(cli, ["grade", str(CORPUS / "gaussian_sign_error.md"), "--recipe", "gaussian-identity",
                                   "--format", "html"])
    assert out.exit_code == 0
    root = ET.fromstring(re.sub(r"<!DOCTYPE[^>]*>", "", out.output))
    ns = "{http://www.w3.org/1999/xhtml}"
    text = "".join(root.itertext())
    assert "4 of 8 points" in text and "a sign error" in text and "carried forward" in text
    assert len(root.findall(".//math")) + len(root.findall(".//%smath" % ns)) == 4
    from test_html import MEASURE

    page = tmp_path / "feedback.html"
    page.write_text(out.output.replace("</body>", MEASURE + "</body>"), encoding="utf-8")
    dom = run_chromium(tmp_path, "--window-size=900,1200", "--virtual-time-budget=3000", "--dump-dom", page.as_uri())
    assert dom.returncode == 0, dom.stderr[-2000:]
    laid = json.loads(re.search(r'<pre id="report">(.*?)</pre>', dom.stdout).group(1))
    assert laid["maths"] >= 4 and laid["empty"] == 0 and laid["stacked"] >= 3  # fractions drawn as fractions
    assert laid["lowered"] == laid["subs"] > 5 and laid["pageWidth"] <= laid["windowWidth"]
    two = CliRunner().invoke(cli, ["grade", str(CORPUS / "gaussian_sign_error.md"), str(CORPUS / "laplace_correct.md"),
                                   "--recipe", "gaussian-identity", "--format", "html"])
    assert two.exit_code == 2 and "one SUBMISSION" in two.output


def test_the_json_validates_against_the_shipped_schema_which_rejects_what_it_does_not_describe():
    import jsonschema

    from mlederive.render.json import schema

    validator = jsonschema.Draft202012Validator(schema("grade"))
    files = [str(CORPUS / n) for n in ("gaussian_sign_error.md", "gaussian_missing_square.md", "gaussian_hostile.md")]
    out = CliRunner().invoke(cli, ["grade", *files, "--recipe", "gaussian-identity", "--format", "json",
                                   "--workers", "1"])
    reports = json.loads(out.output)
    validator.validate(reports)
    validator.validate(reports[0])
    for broken in ({**reports[0], "grade": "A"}, {**reports[0], "score": "3"}):
        with pytest.raises(jsonschema.ValidationError):
            validator.validate(broken)


def test_a_step_past_its_time_budget_is_could_not_grade_never_a_hang(monkeypatch):
    """Each step is graded under a budget of CPU time; past it the step is "could not grade" — not an error, not a
    traceback, not a hang. (A relation that spins for 30 s stands in for an enormous line: the reader's limits keep
    hostile lines cheap, see test_grading_latex.)"""
    import time

    from mlederive.grading import grade as module

    def spinning(*args):
        end = time.process_time() + 30
        while time.process_time() < end:
            pass

    d = derive("gaussian-identity")
    lines = read_submission(CORPUS / "gaussian_bishop_correct.md")
    monkeypatch.setattr(module, "STEP_BUDGET", 0.2)
    monkeypatch.setattr(module, "_relation", spinning)
    start = time.perf_counter()
    report = grade(lines, d)
    assert time.perf_counter() - start < 10
    assert all(s.unreadable and "could not grade this line within 0.2 s" in s.feedback for s in report.steps)
    assert report.first_error is None and report.score == 0
