"""Exams: determinism, variety, answers checked against the engine and numpy, Moodle XML, bad input."""
import csv
import re
import xml.etree.ElementTree as ET

import numpy as np
import pytest
from click.testing import CliRunner
from conftest import DISTRIBUTIONAL, pages_as_png, pdflatex_or_skip

from mlederive.catalog import builtin_table
from mlederive.cli import cli


def run(*args):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def make(tmp_path, name, *args):
    out = tmp_path / name
    result = run("exam", "-o", str(out), *args)
    assert result.exit_code == 0, result.output
    return out


def files(directory):
    return {p.name: p.read_bytes() for p in sorted(directory.iterdir())}


def key_rows(directory):
    with open(directory / "key.csv", newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def questions_md(path):
    """Question number → its markdown section."""
    parts = re.split(r"^## Question (\d+)\. ", path.read_text(), flags=re.M)
    return {int(n): body for n, body in zip(parts[1::2], parts[2::2])}


@pytest.fixture(scope="module")
def exam6(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("exam")
    return make(tmp, "six", "--seed", "42", "--variants", "6", "--questions", "5", "--moodle")


def test_writes_every_file(exam6):
    names = set(files(exam6))
    for v in range(1, 7):
        assert {"exam-%d.tex" % v, "solutions-%d.tex" % v, "exam-%d.md" % v, "solutions-%d.md" % v} <= names
    assert {"key.csv", "moodle.xml"} <= names
    assert len(key_rows(exam6)) == 6 * 5
    exam_tex = (exam6 / "exam-1.tex").read_text()
    assert r"\documentclass[11pt,addpoints]{exam}" in exam_tex and r"\printanswers" not in exam_tex
    assert r"\CorrectChoice" not in exam_tex and "### Solution" not in (exam6 / "exam-1.md").read_text()
    assert exam_tex.count(r"\begin{solutionorbox}") == 5 and r"\question[10]" in exam_tex  # room and points
    assert "Name:" in exam_tex and "50 points in all" in exam_tex
    solutions = (exam6 / "solutions-1.tex").read_text()
    assert r"\printanswers" in solutions and r"\begin{solutionorbox}" not in solutions


def test_same_seed_same_bytes_other_seed_other_exam(exam6, tmp_path):
    again = make(tmp_path, "again", "--seed", "42", "--variants", "6", "--questions", "5", "--moodle")
    assert files(again) == files(exam6)
    other = make(tmp_path, "other", "--seed", "43", "--variants", "6", "--questions", "4", "--moodle")
    assert files(other)["key.csv"] != files(exam6)["key.csv"]
    assert files(other)["exam-1.md"] != files(exam6)["exam-1.md"]


def test_variants_differ_in_substance(exam6):
    bodies = [re.sub(r"variant \S+", "", (exam6 / ("exam-%d.md" % v)).read_text()) for v in range(1, 7)]
    assert len(set(bodies)) == 6
    models = set(re.findall(r"^Assume (.*)$", "\n".join(bodies), flags=re.M))
    assert len(models) >= 3  # several family/link pairs (and symbol names)
    samples = set(re.findall(r"[yt] = \(([^)]*)\)", "\n".join(bodies)))
    assert len(samples) >= 3  # numbers drawn per variant
    weights = set(re.findall(r"with respect to (\$[^$]+\$)", "\n".join(bodies)))
    assert len(weights) >= 2  # symbol names change between variants


def test_every_variant_asks_the_same_kind_in_each_slot(exam6):
    rows = key_rows(exam6)
    for slot in range(1, 6):
        assert len({r["kind"] for r in rows if r["question"] == str(slot)}) == 1, slot


def _numbers(text):
    return re.findall(r"= (-?[\d.]+)", text)


def test_key_answers_are_what_the_solutions_show(exam6):
    for row in key_rows(exam6):
        section = questions_md(exam6 / ("solutions-%s.md" % row["variant"]))[int(row["question"])]
        answer = section.split("**Answer:**", 1)[1]
        if row["kind"] in ("mle", "kl", "vanishing"):
            values = _numbers(row["answer"])
            assert values
            for value in values:
                assert re.search(r"(=|\\approx) %s\b" % re.escape(value), answer), (value, answer)
        elif row["kind"] == "identify":
            letter = row["answer"].split(": ", 1)[0]
            chosen = re.search(r"^- \*\*(\w)\.\*\* (.*) ✓$", section, flags=re.M)
            assert chosen.group(1) == letter and answer.strip().startswith(letter + ":")
        else:
            assert row["answer"].split(":")[0].lower() in answer.lower()


def test_numbers_are_asked_keyed_and_graded_to_three_significant_figures(exam6):
    for row in key_rows(exam6):
        if row["kind"] in ("mle", "kl", "vanishing"):
            section = questions_md(exam6 / ("exam-%s.md" % row["variant"]))[int(row["question"])]
            assert "3 significant figures" in section
            for value in _numbers(row["answer"]):
                digits = value.lstrip("-").replace(".", "").lstrip("0")
                assert len(digits) == 3 or float(value) == 0 or value.lstrip("-").isdigit(), value
    root = ET.parse(exam6 / "moodle.xml").getroot()
    for answer in root.iter("answer"):
        tolerance = answer.find("tolerance")
        if tolerance is not None:  # half a unit of the third significant figure
            value = float(answer.find("text").text)
            assert float(tolerance.text) == pytest.approx(0.5 * 10 ** (np.floor(np.log10(abs(value))) - 2))


def test_identify_and_derive_answers_agree_with_the_engine(exam6):
    loss_of = {(r["family"], r["link"], r["name"].endswith("learned-sigma")): r["loss"] for r in builtin_table()
               if r["kind"] == "loss" and not r["prior"] and r["name"] not in DISTRIBUTIONAL}
    by_name = {r["name"]: r["loss"] for r in builtin_table() if r["kind"] == "loss"}
    checked = 0
    for row in key_rows(exam6):
        if row["kind"] == "derive":
            section = questions_md(exam6 / ("exam-%s.md" % row["variant"]))[int(row["question"])]
            family, link, learned = re.match(r".*\(([\w ]+), ([\w-]+) link(, \$\\sigma\$ learned)?\)",
                                             section.splitlines()[0]).groups()
            expected = loss_of[(family.lower(), link, bool(learned))]
            if expected == "(no textbook name)":
                expected = "%s negative log-likelihood" % family
            assert row["answer"].split(": loss =")[0] == expected
            checked += 1
        elif row["kind"] == "identify":
            solution = questions_md(exam6 / ("solutions-%s.md" % row["variant"]))[int(row["question"])]
            name, letter, recipe = re.search(r"— the (.*?): option (\w), .* \(run `mlederive ([\w-]+)`\)",
                                             solution).groups()
            assert name == by_name[recipe] and letter == row["answer"][0]
            checked += 1
    assert checked >= 6


def test_identify_options_are_formulas_that_do_not_give_the_answer_away():
    from mlederive.exam import build_exam, equivalent
    from mlederive.losses import NAMED_LOSSES

    exam = build_exam(8, variants=12, questions=5)
    seen = 0
    for v in exam.variants:
        for q in v.questions:
            if q.kind != "identify":
                continue
            seen += 1
            options = [str(o) for o in q.choices.options]
            assert len(set(options)) == len(options) == 4
            for option in options:  # no loss named: each option is one formula
                assert not re.search(r"Poisson|Gaussian|entropy|squared|absolute", option), option
                assert len(q.choices.options[options.index(option)].math) == 1
    assert seen >= 10
    # a distractor equal to the answer up to θ-free terms and positive factors is never offered
    from mlederive import derive

    d = derive("gaussian-identity")
    mse, nll = (next(x for x in NAMED_LOSSES if x.key == k) for k in ("mse", "gaussian-nll"))
    form = lambda loss: loss.form(d.model.y_obs(), loss.yhat(d.model), d.model.params)  # noqa: E731
    assert equivalent(d.model, form(mse), form(nll))  # σ known: the Gaussian NLL is the squared error
    learned = derive("gaussian-identity-learned-sigma")
    form2 = lambda loss: loss.form(learned.model.y_obs(), loss.yhat(learned.model), learned.model.params)  # noqa
    assert not equivalent(learned.model, form2(mse), form2(nll))  # σ learned: it is not


def test_mle_answers_match_numpy_on_the_printed_data(exam6):
    checked = 0
    for row in key_rows(exam6):
        if row["kind"] != "mle":
            continue
        section = questions_md(exam6 / ("exam-%s.md" % row["variant"]))[int(row["question"])]
        data = np.array([float(v) for v in re.search(r"[yt] = \(([^)]*)\)", section).group(1).split(",")])
        got = dict(part.split(" = ") for part in row["answer"].split("; "))
        if "Bernoulli" in section or "Poisson" in section:
            (value,) = got.values()
            assert float(value) == pytest.approx(data.mean(), rel=5e-3)
        else:
            assert float(got["μ̂"]) == pytest.approx(data.mean(), rel=5e-3)
            assert float(got["σ̂²"]) == pytest.approx(data.var(), rel=5e-3)
        checked += 1
    assert checked >= 4


def test_kl_and_vanishing_answers_match_independent_computations(tmp_path):
    from fractions import Fraction

    from scipy.stats import entropy

    out = make(tmp_path, "five", "--seed", "3", "--variants", "4", "--questions", "5")
    seen = set()
    for row in key_rows(out):
        section = questions_md(out / ("exam-%s.md" % row["variant"]))[int(row["question"])]
        got = [float(v) for v in _numbers(row["answer"])]
        if row["kind"] == "kl":
            p, q = ([float(Fraction(v)) for v in m.split(", ")] for m in re.findall(r"= \(([^)]*)\)", section))
            assert got == pytest.approx([entropy(p, q), entropy(q, p)], rel=5e-3)
            assert len(set(_numbers(row["answer"]))) == 2  # never two values that print the same
            seen.add("kl")
        elif row["kind"] == "vanishing":
            z = float(re.search(r"At \$z = (-?\d+)\$", section).group(1))
            s = 1 / (1 + np.exp(-z))
            assert got == pytest.approx([(1 - s) ** 2 * s, 1 - s], rel=5e-3)
            seen.add("vanishing")
    assert seen == {"kl", "vanishing"}


def test_moodle_xml_structure(exam6):
    root = ET.parse(exam6 / "moodle.xml").getroot()
    assert root.tag == "quiz"
    categories = [q for q in root if q.get("type") == "category"]
    assert len(categories) == 5
    keys = {(r["code"], r["question"]): r for r in key_rows(exam6)}
    kinds, per_category, category = set(), {}, None
    for q in root:
        kind = q.get("type")
        kinds.add(kind)
        if kind == "category":
            category = q.find("category/text").text
            continue
        per_category.setdefault(category, set()).add(kind)
        name = q.find("name/text").text
        assert "\\(" not in name and "$" not in name and "\\" not in name, name  # a name is plain text
        variant, number = re.match(r"([A-Z2-7]{3}-[A-Z2-7]{3}) Q(\d+)", name).groups()
        row = keys[(variant, number)]
        text = q.find("questiontext/text").text
        assert text.strip() and q.find("defaultgrade").text == row["points"]
        if kind == "numerical":
            (answer,) = q.findall("answer")
            assert answer.get("fraction") == "100" and float(answer.find("tolerance").text) > 0
            assert row["kind"] == "mle" and len(_numbers(row["answer"])) == 1
            assert answer.find("text").text in _numbers(row["answer"])
        elif kind == "cloze":  # one or two numbers, each an embedded answer whose weight is its share of the points
            embedded = re.findall(r"\{(\d+):NUMERICAL:=(-?[\d.]+):([\d.e-]+)\}", text)
            assert [v for _, v, _ in embedded] == _numbers(row["answer"]) and len(embedded) in (1, 2)
            # Moodle's mark for a cloze question is the sum of its sub-questions' weights
            assert sum(int(w) for w, _, _ in embedded) == int(row["points"])
        elif kind == "multichoice":
            fractions = [a.get("fraction") for a in q.findall("answer")]
            assert fractions.count("100") == 1 and len(fractions) == 4
            correct = q.findall("answer")[fractions.index("100")].find("text").text
            assert correct.startswith(r"\(") and row["kind"] == "identify"  # a formula, for MathJax
        else:
            assert kind == "essay" and row["kind"] == "derive"
            assert "machine" not in text  # the solution is for graders only
            assert q.find("graderinfo/text").text.strip()
    assert kinds <= {"category", "numerical", "cloze", "multichoice", "essay"} and "essay" in kinds
    # one slot, one Moodle type: the Gaussian MLE asks two numbers, so every variant of that slot is a cloze
    for category, found in per_category.items():
        assert len(found) == 1, (category, found)


def test_cloze_weights_add_up_to_the_points():
    from mlederive.render.exam import cloze_weights

    assert cloze_weights(10, 2) == [5, 5] and cloze_weights(5, 2) == [3, 2] and cloze_weights(7, 1) == [7]
    assert all(sum(cloze_weights(p, k)) == p for p in range(1, 60) for k in (1, 2, 3))


def test_eight_papers_do_not_share_the_vanishing_z():
    from mlederive.exam import build_exam

    exam = build_exam("z", variants=8, questions=5)
    zs = [q.title for v in exam.variants for q in v.questions if q.kind == "vanishing"]
    assert len(zs) == 8 and len({str(z) for z in zs}) == 8


def test_title_course_points_and_answer_space(tmp_path):
    out = make(tmp_path, "custom", "--seed", "9", "--questions", "3", "--title", "Midterm & losses",
               "--course", "ML 101", "--points", "10,5,5", "--answer-space", "4")
    tex = (out / "exam-1.tex").read_text()
    assert r"Midterm \& losses" in tex and "ML 101" in tex and "20 points in all" in tex
    assert [int(p) for p in re.findall(r"\\question\[(\d+)\]", tex)] == [10, 5, 5]
    assert tex.count(r"\begin{solutionorbox}[4cm]") == 3
    assert [r["points"] for r in key_rows(out)] == ["10", "5", "5"]
    none = make(tmp_path, "bare", "--seed", "9", "--questions", "2", "--answer-space", "none")
    assert r"\begin{solutionorbox}" not in (none / "exam-1.tex").read_text()
    for args, message in ((["--points", "10,5"], "one per question (3)"), (["--points", "x"], "--points x:"),
                          (["--answer-space", "big"], "--answer-space big:")):
        bad = run("exam", "--seed", "1", "--questions", "3", "-o", str(tmp_path / "no"), *args)
        assert bad.exit_code == 2 and message in bad.output and len(bad.output.strip().splitlines()) == 1


def test_no_student_file_shows_the_seed_and_variants_have_codes(tmp_path):
    out = make(tmp_path, "secret", "--seed", "s3cr3t-seed-491", "--variants", "3", "--questions", "3")
    files = sorted(p for p in out.iterdir() if p.is_file())
    for path in files:
        assert "s3cr3t-seed-491" not in path.read_text(), path.name  # not even in the solutions or the key
    codes = [r["code"] for r in key_rows(out)]
    assert len(set(codes)) == 3 and all(re.fullmatch(r"[A-Z2-7]{3}-[A-Z2-7]{3}", c) for c in codes)
    for row in key_rows(out):
        assert row["code"] in (out / ("exam-%s.md" % row["variant"])).read_text()


def test_the_default_pool_leaves_out_the_custom_density_examples():
    from mlederive.exam import build_exam, standard_recipes

    assert "poisson-smooth-relu" not in standard_recipes() and "rayleigh-log" not in standard_recipes()
    exam = build_exam(5, variants=6, questions=4)
    titles = " ".join(str(q.title) for v in exam.variants for q in v.questions)
    assert "smooth-relu" not in titles and "Rayleigh" not in titles


def test_one_symbol_set_per_question():
    from mlederive.exam import build_exam
    from mlederive.render.common import plain_text

    exam = build_exam(1, variants=12, questions=5)
    for v in exam.variants:
        inputs, weights = v.notation.inputs.text, v.notation.weights.text
        for q in v.questions:
            text = " ".join(plain_text(block.prose, v.notation).replace("ᵢ", "_i") for block in q.prompt
                            if hasattr(block, "prose"))
            if q.kind in ("derive", "identify"):
                assert "%s_i" % inputs in text and "%sᵀ%s_i" % (weights, inputs) in text, text
                if inputs != "x":
                    assert "x_i" not in text, text


def _math_tokens(markdown: str) -> set:
    """Single letters (and \\hat{…}, \\bar{…} of them) used in the formulas of a Markdown file."""
    maths = re.findall(r"\$\$(.+?)\$\$|\$(.+?)\$", markdown, flags=re.S)
    tex = " ".join(a or b for a, b in maths)
    tex = re.sub(r"\\(?:mathrm|text|operatorname)\{[^{}]*\}", " ", tex)  # words: KL, MSE, softmax
    tex = re.sub(r"\\[A-Za-z]+", lambda m: " %s " % m.group(0), tex)  # \theta, \beta as tokens
    return set(re.findall(r"\\[A-Za-z]+|(?<![A-Za-z])[A-Za-z](?![A-Za-z])", tex))


@pytest.mark.parametrize("seed", ["abc", "2026", "7"])
def test_every_question_and_solution_uses_the_papers_symbols_and_a_letter_means_one_thing(seed, tmp_path):
    """exam-3 of seed abc read "the values y = (1, 0, …) … t_i ∼ Bernoulli(p)"; a question asked with β had a
    worked solution in θ; z was the logit in one question and the input in the next."""
    from mlederive.exam import NOTATIONS, build_exam
    from mlederive.render.exam import exam_files

    exam = build_exam(seed, variants=6, questions=5)
    texts = exam_files(exam)
    others = {"weights": {n.weights.latex for n in NOTATIONS}, "inputs": {n.inputs.latex for n in NOTATIONS},
              "target": {n.target.latex for n in NOTATIONS}}
    for v in exam.variants:
        used = {"weights": v.notation.weights.latex, "inputs": v.notation.inputs.latex,
                "target": v.notation.target.latex}
        for name in ("exam-%d.md" % v.number, "solutions-%d.md" % v.number):
            tokens = _math_tokens(texts[name])
            for role, letters in others.items():
                wrong = (letters - {used[role]}) & tokens
                # a letter of another symbol set may appear only where it means something else on no paper
                wrong -= {other for other in wrong if other in used.values()}
                assert not wrong, (seed, name, role, wrong)
            assert "z" not in {v.notation.inputs.latex}  # z is the sigmoid question's logit


def test_a_student_t_paper_never_calls_the_target_t():
    from mlederive.exam import build_exam

    exam = build_exam("t", variants=8, questions=3, recipes=["student-t-identity", "bernoulli-logit"])
    assert all(v.notation.target.text != "t" for v in exam.variants)


def test_solutions_read_as_worked_solutions_not_tool_output(exam6):
    from mlederive.render.exam import CHECKED

    for path in sorted(exam6.glob("solutions-*")):
        text = path.read_text()
        for internal in ("verified, symbolic", "verified, numeric", "steps verified (", "(computed)", "nn.MSELoss",
                         "PyTorch", "--- verified", "— verified"):
            assert internal not in text, (path.name, internal)
        assert text.count(CHECKED.split()[0] + " step") >= 1, path.name


def test_recipes_option_restricts_the_pairs(tmp_path):
    out = make(tmp_path, "only", "--seed", "1", "--variants", "3", "--questions", "3",
               "--recipes", "laplace-identity")
    for row in key_rows(out):
        if row["kind"] == "derive":
            assert "mean absolute error" in row["answer"]
        elif row["kind"] == "identify":  # the answer is |y − ŷ|
            assert "|" in row["answer"]


def test_question_kinds_are_a_registry_and_the_pool_decides_which_are_asked():
    from mlederive.exam import QUESTION_KINDS, build_exam

    assert list(QUESTION_KINDS) == ["derive", "derive-each", "mle", "identify", "kl", "vanishing"]
    every = build_exam(3, variants=2, questions=5)
    # derive-each draws a recipe with several predicted parameters: none is in the default pool
    assert {q.kind for v in every.variants for q in v.questions} == set(QUESTION_KINDS) - {"derive-each"}
    # a pool with no likelihood recipe and no article: only the MLE questions are left
    only_args = build_exam(3, variants=2, questions=3, recipes=["kl-coin"])
    assert {q.kind for v in only_args.variants for q in v.questions} == {"mle", "kl"}


def test_pdf_compiles_with_real_pdflatex(tmp_path):
    pdflatex_or_skip()
    out = make(tmp_path, "pdf", "--seed", "5", "--variants", "2", "--questions", "3", "--pdf")
    names = set(files(out))
    assert {"exam-1.pdf", "solutions-1.pdf", "exam-2.pdf", "solutions-2.pdf"} <= names
    assert not [n for n in names if n.endswith((".aux", ".log"))]
    assert all((out / n).read_bytes().startswith(b"%PDF") for n in names if n.endswith(".pdf"))
    pngs, text = pages_as_png(out / "exam-1.pdf", tmp_path)  # what a student is handed
    assert pngs and "Name:" in text and "points" in text and "Solution" not in text and "U+" not in text
    pngs, text = pages_as_png(out / "solutions-1.pdf", tmp_path)
    assert len(pngs) >= 2 and "Solution" in text and "machine-checked" in text


@pytest.mark.parametrize("args, message", [
    (["--recipes", "bernouli-logit"], "Did you mean 'bernoulli-logit'?"),
    (["--variants", "0"], "--variants 0: give a number from 1 to"),
    (["--questions", "-1"], "--questions -1: give a number from 1 to"),
])
def test_bad_input_one_line_and_nothing_written(args, message, tmp_path):
    out = run("exam", "--seed", "1", "-o", str(tmp_path / "out"), *args)
    assert out.exit_code == 2, out.output
    lines = out.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ") and message in lines[0]
    assert list(tmp_path.iterdir()) == []


def test_output_that_is_a_file_or_unwritable(tmp_path):
    target = tmp_path / "a-file"
    target.write_text("keep me")
    out = run("exam", "--seed", "1", "-o", str(target))
    assert out.exit_code == 2 and "exists and is not a directory" in out.output
    assert target.read_text() == "keep me" and sorted(p.name for p in tmp_path.iterdir()) == ["a-file"]
    out = run("exam", "--seed", "1", "-o", "/proc/mlederive-exam")  # not writable, even for root
    assert out.exit_code == 2 and len(out.output.strip().splitlines()) == 1 and "Traceback" not in out.output


def test_existing_files_need_force(tmp_path):
    out = make(tmp_path, "twice", "--seed", "1")
    before = files(out)
    again = run("exam", "--seed", "2", "-o", str(out))
    assert again.exit_code == 2 and "use --force" in again.output and files(out) == before
    assert run("exam", "--seed", "2", "-o", str(out), "--force").exit_code == 0
    assert files(out) != before
    assert [p.name for p in tmp_path.iterdir()] == ["twice"]  # no staging directory left behind


def test_missing_pdflatex_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    out = run("exam", "--seed", "1", "-o", str(tmp_path / "x"), "--pdf")
    assert out.exit_code == 2
    assert out.output.strip() == ("Error: --pdf: pdflatex not found on PATH; install TeX Live (Debian/Ubuntu: "
                                  "apt-get install texlive-latex-base texlive-latex-recommended texlive-latex-extra) "
                                  "or leave out --pdf")
    assert not (tmp_path / "x").exists()


def test_papers_keep_each_answer_box_with_its_question_and_students_read_no_verifier_scope(tmp_path):
    from mlederive.exam import build_exam
    from mlederive.render.exam import exam_files

    exam = build_exam("2026", variants=3, questions=5)
    files = exam_files(exam)
    for v in exam.variants:
        tex = files["exam-%d.tex" % v.number]
        assert tex.count(r"\needspace{") == tex.count(r"\begin{solutionorbox}") > 0
        assert "checked with" not in files["exam-%d.md" % v.number]
        assert "Generated by" not in tex.split(r"\end{questions}")[1]  # no last line to fall on a page alone
    # the categorical's options: every formula a sum over the classes, not only the right one
    categorical = build_exam("k", variants=3, questions=3, recipes=["categorical-softmax"])
    asked = [q for v in categorical.variants for q in v.questions if q.kind == "identify"]
    assert asked and all("Sum" in str(o) for q in asked for o in q.choices.options)
