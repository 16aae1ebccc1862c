"""Grading an exam's answers (mlederive.grading.exam, ``mlederive grade --exam DIR --question N``): a real exam
written by ``mlederive exam``, answers typed in each variant's own letters, each graded against its variant's recipe
and the question's points; and the refusals, one line each."""
from __future__ import annotations

import csv
import io
import json

import pytest
from click.testing import CliRunner

from mlederive.cli import cli

#: a right derivation of each recipe an exam below asks about, in a variant's letters: {T} the target, {U} the
#: inputs, {W} the weights
RIGHT = {
    "gaussian-identity": [
        r"L({W}) = \prod_{{i=1}}^n \frac{{1}}{{\sqrt{{2\pi\sigma^2}}}} \exp\left(-\frac{{({T}_i - {W}^T {U}_i)^2}}"
        r"{{2\sigma^2}}\right)",
        r"\log L({W}) = -\frac{{n}}{{2}}\log(2\pi\sigma^2) - \frac{{1}}{{2\sigma^2}}\sum_{{i=1}}^n ({T}_i - {W}^T {U}_i)^2",
        r"J({W}) = \frac{{1}}{{n}}\sum_{{i=1}}^n ({T}_i - {W}^T {U}_i)^2",
        r"\nabla_{W} J = -\frac{{2}}{{n}}\sum_{{i=1}}^n ({T}_i - {W}^T {U}_i) {U}_i"],
    "bernoulli-logit": [
        r"L({W}) = \prod_{{i=1}}^n \hat {T}_i^{{{T}_i}} (1 - \hat {T}_i)^{{1 - {T}_i}}",
        r"\log L({W}) = \sum_{{i=1}}^n {T}_i \log \hat {T}_i + (1 - {T}_i) \log(1 - \hat {T}_i)",
        r"J({W}) = -\frac{{1}}{{n}}\sum_{{i=1}}^n \left[{T}_i \log \hat {T}_i + (1 - {T}_i)\log(1 - \hat {T}_i)\right]",
        r"\nabla_{W} J = \frac{{1}}{{n}}\sum_{{i=1}}^n (\sigma({W}^T {U}_i) - {T}_i) {U}_i"],
}
LATEX = {"theta": r"\theta", "beta": r"\beta", "w": "w"}


@pytest.fixture(scope="module")
def exam(tmp_path_factory):
    """Four variants of two questions (a derivation worth 12 points, an MLE question worth 8), in several notations."""
    directory = tmp_path_factory.mktemp("exam")
    out = CliRunner().invoke(cli, ["exam", "--seed", "11", "--variants", "4", "--questions", "2", "--recipes",
                                   "gaussian-identity,bernoulli-logit,poisson-log", "--points", "12,8", "-o",
                                   str(directory)])
    assert out.exit_code == 0, out.output
    manifest = json.loads((directory / "exam.json").read_text(encoding="utf-8"))
    return directory, manifest


def _answer(variant, lines=None, code=True, headings=True) -> str:
    letters = variant["notation"]
    recipe = variant["questions"][0]["recipe"]
    steps = [s.format(T=letters["target"], U=letters["inputs"], W=LATEX[letters["weights"]])
             for s in (lines or RIGHT[recipe])]
    text = ("Variant: %s\n\n" % variant["code"] if code else "") + ("## Question 1\n\n" if headings else "")
    text += "".join("$$%s$$\n\nthen\n\n" % s for s in steps)
    return text + ("## Question 2\n\n$$\\hat\\mu = 7$$\n" if headings else "")


def test_the_manifest_names_each_variants_code_letters_and_each_questions_recipe_and_points(exam):
    directory, manifest = exam
    key = list(csv.DictReader(io.StringIO((directory / "key.csv").read_text(encoding="utf-8"))))
    assert [v["code"] for v in manifest["variants"]] == list(dict.fromkeys(r["code"] for r in key))
    for variant in manifest["variants"]:
        derive, mle = variant["questions"]
        assert (derive["kind"], derive["points"], mle["kind"], mle["points"], mle["recipe"]) == ("derive", 12, "mle", 8,
                                                                                               None)
        paper = (directory / ("exam-%d.md" % variant["number"])).read_text(encoding="utf-8")
        assert derive["title"] in paper.replace("*", "") and "`Variant: %s`" % variant["code"] in paper
        assert derive["recipe"] in RIGHT
    assert {v["notation"]["target"] for v in manifest["variants"]} == {"t", "y"}  # letters differ between variants
    assert "seed" not in json.dumps(manifest)  # the seed reproduces every solution: the manifest does not give it


def test_each_variants_answer_in_its_own_letters_gets_the_questions_points(exam, tmp_path):
    """Each answer is graded against its own variant's recipe and letters: a right one earns the question's 12
    points — and the same file graded with --recipe, without the variant's letters, does not where they differ."""
    directory, manifest = exam
    files = []
    for variant in manifest["variants"]:
        path = tmp_path / ("student-%d.md" % variant["number"])
        path.write_text(_answer(variant), encoding="utf-8")
        files.append(str(path))
    out = CliRunner().invoke(cli, ["grade", *files, "--exam", str(directory), "--question", "1", "--format", "json",
                                   "--workers", "1"])
    assert out.exit_code == 0, out.output
    reports = json.loads(out.output)
    assert [(r["score"], r["max_score"], r["first_error"]) for r in reports] == [(12, 12, None)] * len(files)
    assert [r["variant"] for r in reports] == [v["code"] for v in manifest["variants"]]
    import jsonschema

    from mlederive.render.json import schema

    jsonschema.Draft202012Validator(schema("grade")).validate(reports)
    table = CliRunner().invoke(cli, ["grade", *files, "--exam", str(directory), "--question", "1", "--format", "csv",
                                     "--workers", "1"])
    rows = list(csv.DictReader(io.StringIO(table.output)))
    assert [(r["variant"], r["score"], r["max_score"]) for r in rows] == [(v["code"], "12", "12")
                                                                          for v in manifest["variants"]]
    assert all(sum(c["of"] for c in r["credits"]) == pytest.approx(12, abs=0.05) for r in reports)
    renamed = next(k for k, v in enumerate(manifest["variants"]) if v["notation"]["target"] != "y")
    recipe = manifest["variants"][renamed]["questions"][0]["recipe"]
    plain = CliRunner().invoke(cli, ["grade", files[renamed], "--recipe", recipe, "--format", "json"])
    assert json.loads(plain.output)["first_error"] == 1  # tᵢ is no name of the model's without the variant's letters
    terminal = CliRunner().invoke(cli, ["grade", files[0], "--exam", str(directory), "--question", "1"])
    first = manifest["variants"][0]
    assert "question 1 of variant %s (%s): 12/12 points" % (first["code"], first["questions"][0]["recipe"]) \
        in terminal.output


def test_only_the_questions_section_is_graded_and_a_file_without_headings_is_all_answer(exam, tmp_path):
    directory, manifest = exam
    variant = manifest["variants"][0]
    wrong = list(RIGHT[variant["questions"][0]["recipe"]])
    wrong[2] = wrong[2].replace(r"J({W}) = ", r"J({W}) = -")  # the negation forgotten: J is the log-likelihood
    for text, first in ((_answer(variant), None), (_answer(variant, headings=False), None),
                        (_answer(variant, wrong), 3)):
        path = tmp_path / "answer.md"
        path.write_text(text, encoding="utf-8")
        out = CliRunner().invoke(cli, ["grade", str(path), "--exam", str(directory), "--question", "1", "--format",
                                       "json"])
        report = json.loads(out.output)
        assert report["first_error"] == first and len(report["steps"]) == 4, report


@pytest.mark.parametrize("case", ["no code", "two codes", "mle question", "no such question", "no answer",
                                  "no manifest", "without question", "both", "neither"])
def test_what_cannot_be_graded_is_one_line_exit_2(exam, tmp_path, case):
    directory, manifest = exam
    one, two = manifest["variants"][:2]
    path = tmp_path / "answer.md"
    text = {"no code": _answer(one, code=False), "two codes": _answer(one) + "\nVariant: %s\n" % two["code"],
            "no answer": "Variant: %s\n\n## Question 2\n\n$$\\hat\\mu = 7$$\n" % one["code"]}.get(case, _answer(one))
    path.write_text(text, encoding="utf-8")
    args = {"mle question": ["--exam", str(directory), "--question", "2"],
            "no such question": ["--exam", str(directory), "--question", "5"],
            "no manifest": ["--exam", str(tmp_path), "--question", "1"],
            "without question": ["--exam", str(directory)],
            "both": ["--exam", str(directory), "--question", "1", "--recipe", "gaussian-identity"],
            "neither": []}.get(case, ["--exam", str(directory), "--question", "1"])
    message = {"no code": "no variant code of this exam in it; add the line `Variant: ",
               "two codes": "the codes of 2 variants in it", "mle question": "Maximum likelihood from data",
               "no such question": "has questions 1 to 2", "no answer": "no formula under the heading of question 1",
               "no manifest": "no exam.json there", "without question": "--exam and --question go together",
               "both": "one of them", "neither": "one of them"}[case]
    out = CliRunner().invoke(cli, ["grade", str(path), *args])
    assert out.exit_code == 2 and message in out.output and len(out.output.strip().splitlines()) == 1, out.output
